package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;

  @Test
  void defaults_fileEnvironmentFlags_overrideInThatOrder() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("c.yaml"), "pipeline:\n  workers: 3\n  lease: 10s\nsimulated.seed: 5\n");

    Settings s =
        Settings.load(
            file,
            Map.of("BOOK_CREATOR_PIPELINE_LEASE", "20s", "PATH", "/bin"),
            Map.of(Setting.SIM_SEED, "9"));

    assertThat(s.pipeline().workers()).isEqualTo(3);
    assertThat(s.origin(Setting.WORKERS)).isEqualTo(file.toString());
    assertThat(s.pipeline().lease()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.origin(Setting.LEASE)).contains("BOOK_CREATOR_PIPELINE_LEASE");
    assertThat(s.simulation().seed()).isEqualTo(9);
    assertThat(s.pipeline().heartbeat()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void configFile_fromTheEnvironment_isRead() throws Exception {
    Path file = Files.writeString(dir.resolve("c.yaml"), "data_dir: /tmp/elsewhere\n");

    Settings s = Settings.load(null, Map.of(Settings.CONFIG_ENV, file.toString()), Map.of());

    assertThat(s.dataDir()).isEqualTo(Path.of("/tmp/elsewhere"));
  }

  @Test
  void unknownEnvironmentVariable_isAnError_namingIt() {
    assertThatThrownBy(() -> Settings.load(null, Map.of("BOOK_CREATOR_WORKRES", "4"), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("BOOK_CREATOR_WORKRES")
        .hasMessageContaining("BOOK_CREATOR_PIPELINE_WORKERS");
  }

  @Test
  void aMistypedVariable_getsTheClosestNames() {
    assertThat(
            Settings.nearest(
                "BOOK_CREATOR_PIPELINE_WOKERS",
                List.of(
                    "BOOK_CREATOR_PIPELINE_WORKERS",
                    "BOOK_CREATOR_PIPELINE_BACKOFF_BASE",
                    "BOOK_CREATOR_MODEL")))
        .containsExactly("BOOK_CREATOR_PIPELINE_WORKERS");
    assertThat(Settings.nearest("BOOK_CREATOR_ZZZZZZ", List.of("BOOK_CREATOR_PIPELINE_WORKERS")))
        .isEmpty();
  }

  @Test
  void everyBadValue_isReportedAtOnce_withWhereItCameFrom() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("c.yaml"), "pipeline:\n  workers: 0\n  heartbeat: 1m\nprovider: openai\n");

    assertThatThrownBy(
            () -> Settings.load(file, Map.of("BOOK_CREATOR_SIMULATED_SEED", "x"), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("simulated.seed (from environment BOOK_CREATOR_SIMULATED_SEED)")
        .hasMessageContaining("OPENAI_API_KEY is not set");
  }

  @Test
  void routing_isValidated_andReferencedProvidersNeedTheirKeys() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("c.yaml"),
            "routing:\n  rules: \"*/critic=anthropic\"\n  fallback: \"mystery\"\n");

    assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("provider 'mystery' is not available")
        .hasMessageContaining("ANTHROPIC_API_KEY is not set");
    assertThatThrownBy(
            () ->
                Settings.load(
                    null, Map.of("BOOK_CREATOR_ROUTING_RULES", "lunch/writer=openai"), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining(
            "routing.rules (from environment BOOK_CREATOR_ROUTING_RULES): 'lunch/writer=openai':"
                + " unknown stage");
  }

  @Test
  void routing_buildsOneClientPerProvider() throws Exception {
    Settings s =
        Settings.load(
            null,
            Map.of("OPENAI_BASE_URL", "http://127.0.0.1:1/v1"),
            Map.of(
                Setting.ROUTING_RULES,
                "*/critic=openai:gpt-4o-mini",
                Setting.ROUTING_FALLBACK,
                "openai"));

    var router = s.llmRouter();

    assertThat(
            router
                .target(
                    org.bookcreator.core.run.Stage.OUTLINE,
                    org.bookcreator.core.run.AgentRole.CRITIC,
                    1,
                    "x")
                .client()
                .provider())
        .isEqualTo("openai");
    assertThat(
            router
                .target(
                    org.bookcreator.core.run.Stage.OUTLINE,
                    org.bookcreator.core.run.AgentRole.PLANNER,
                    1,
                    "x")
                .client()
                .provider())
        .isEqualTo("simulated");
  }

  @Test
  void semanticRules_areChecked() throws Exception {
    Path file =
        Files.writeString(dir.resolve("c.yaml"), "pipeline:\n  workers: 0\n  heartbeat: 1m\n");

    assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
        .hasMessageContaining("workers must be 1..1024, was 0")
        .hasMessageContaining("heartbeat must be positive and shorter than the lease");
  }

  @Test
  void everySetting_isDocumented_withItsDefault() throws Exception {
    Path doc = Path.of("..", "docs", "configuration.md");
    String text = Files.readString(Files.exists(doc) ? doc : Path.of("docs", "configuration.md"));

    for (Setting s : Setting.values()) {
      assertThat(text)
          .as("docs/configuration.md documents %s", s.key)
          .contains(
              "| `"
                  + s.key
                  + "` | `"
                  + (s.defaultValue.isEmpty() ? "(empty)" : s.defaultValue)
                  + "` |");
    }
  }

  @Test
  void openAiProvider_needsAKeyOrALocalServer_andBuildsTheAdapter() {
    Map<Setting, String> openai = Map.of(Setting.PROVIDER, "openai");

    assertThatThrownBy(() -> Settings.load(null, Map.of(), openai))
        .hasMessageContaining("OPENAI_API_KEY is not set");
    assertThatThrownBy(() -> Settings.load(null, Map.of("OPENAI_BASE_URL", "ftp://x"), openai))
        .hasMessageContaining("OPENAI_BASE_URL");
    assertThatThrownBy(() -> Settings.load(null, Map.of(), Map.of(Setting.PROVIDER, "gemini")))
        .hasMessageContaining("available: simulated, openai, anthropic");

    Settings local =
        Settings.load(null, Map.of("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1"), openai);
    assertThat(local.llmClient().provider()).isEqualTo("openai");
    Settings keyed = Settings.load(null, Map.of("OPENAI_API_KEY", "sk-abcdefghijklmnop"), openai);
    assertThat(keyed.llmClient().provider()).isEqualTo("openai");
    assertThat(Settings.load(null, Map.of(), Map.of()).llmClient().provider())
        .isEqualTo("simulated");
    assertThatThrownBy(() -> Settings.load(null, Map.of(), Map.of(Setting.PROVIDER, "anthropic")))
        .hasMessageContaining("ANTHROPIC_API_KEY is not set");
    assertThat(
            Settings.load(
                    null,
                    Map.of("ANTHROPIC_API_KEY", "sk-ant-abcdefgh"),
                    Map.of(Setting.PROVIDER, "anthropic"))
                .llmClient()
                .provider())
        .isEqualTo("anthropic");
  }
}
