package org.bookcreator.telemetry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.TelemetryConfig;
import org.junit.jupiter.api.Test;

class TelemetrySdkMetricsTest {

  private static TelemetrySdk metricsOnly() {
    return TelemetrySdk.create(
        new TelemetryConfig("book-creator", true, false, 1.0, false, Set.of()),
        Redactor.none(),
        List.of());
  }

  @Test
  void scrape_hasJvmMetricsUnderOpenTelemetryRuntimeConventions_andNoPrometheusClientNames()
      throws InterruptedException {
    String text;
    try (TelemetrySdk telemetry = metricsOnly()) {
      // A collection is recorded when the JVM notifies its listener, on a thread of its own, a
      // moment after it ends: scrape until it is there (or give up and let the assertion say so).
      text = telemetry.scrape();
      for (int i = 0; i < 100 && !text.contains("jvm_gc_duration_seconds_bucket{"); i++) {
        System.gc();
        Thread.sleep(100);
        text = telemetry.scrape();
      }
    }

    assertThat(text)
        .contains("jvm_memory_used_bytes{jvm_memory_pool_name=\"")
        .contains("jvm_memory_type=\"heap\"")
        .contains("jvm_memory_committed_bytes{")
        .contains("jvm_memory_limit_bytes{")
        .contains("jvm_gc_duration_seconds_bucket{")
        .contains("jvm_gc_action=\"")
        .contains("jvm_thread_count{jvm_thread_daemon=\"")
        .contains("jvm_thread_state=\"")
        .contains("jvm_class_count ")
        .contains("jvm_class_loaded_total ")
        .contains("jvm_class_unloaded_total ")
        .contains("jvm_cpu_time_seconds_total ")
        .contains("jvm_cpu_count ")
        .contains("jvm_cpu_recent_utilization ")
        .contains("process_cpu_seconds_total ");
    assertThat(text)
        .doesNotContain("area=\"heap\"")
        .doesNotContain("jvm_threads_current")
        .doesNotContain("jvm_gc_collection_seconds");
  }

  @Test
  void scrape_hasTargetInfo_namingTheServiceItsVersionAndThisProcessAsItsLogLinesDo() {
    String first;
    String second;
    try (TelemetrySdk a = metricsOnly();
        TelemetrySdk b = metricsOnly()) {
      first = targetInfo(a.scrape());
      second = targetInfo(b.scrape());
    }

    assertThat(first)
        .contains("service_name=\"book-creator\"")
        .contains("service_version=\"")
        .contains("service_instance_id=\"" + org.bookcreator.telemetry.Instance.id() + "\"");
    assertThat(instanceId(first))
        .endsWith("-" + ProcessHandle.current().pid())
        .isEqualTo(instanceId(second));
  }

  private static String targetInfo(String scrape) {
    return scrape.lines().filter(l -> l.startsWith("target_info{")).findFirst().orElse("");
  }

  private static String instanceId(String targetInfo) {
    return targetInfo.replaceAll(".*service_instance_id=\"([^\"]*)\".*", "$1");
  }
}
