package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plants canary secrets (as API keys in the environment, as a configured secret, and inside the
 * brief) and proves they appear in no output: stdout, stderr, log files, the store (every file in
 * the data directory, WAL included), spans, /metrics.
 */
class SecretsTest {
  private static final String KEY_CANARY = "sk-canaryKEY0123456789abcdef";
  private static final String CONFIG_CANARY = "canary-config-7f3a9c1d";
  @TempDir Path dir;

  private ProcessBuilder child(String... args) {
    ProcessBuilder pb = ChildCli.builder(args);
    pb.environment().put("OPENAI_API_KEY", KEY_CANARY);
    pb.environment().put("ANTHROPIC_API_KEY", "anthropic-canary-0987654321");
    return pb;
  }

  @Test
  void canarySecrets_appearInNoOutput() throws Exception {
    Path data = dir.resolve("data");
    Path config =
        Files.writeString(
            dir.resolve("config.yaml"), "logging:\n  redact: " + CONFIG_CANARY + "\n");
    Path brief =
        Files.writeString(
            dir.resolve("brief.yaml"),
            """
            title: "Keys %s and %s"
            category: technical
            audience: "people holding %s"
            brief: |
              Explain why the key %s must never be logged. Authorization: Bearer %s
            chapters: 2
            """
                .formatted(KEY_CANARY, CONFIG_CANARY, CONFIG_CANARY, KEY_CANARY, KEY_CANARY));

    Process run =
        child("run", brief.toString(), "--data-dir", data.toString(), "--config", config.toString())
            .redirectOutput(dir.resolve("run.out").toFile())
            .redirectError(dir.resolve("run.err").toFile())
            .start();
    assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).as(Files.readString(dir.resolve("run.err"))).isZero();

    String runs = Cli.run("runs", "--json", "--data-dir", data.toString()).out();
    String runId = runs.replaceAll("(?s).*?\"id\":\"(run_[a-z0-9]+)\".*", "$1");
    String trace = Cli.run("trace", runId, "--json", "--data-dir", data.toString()).out();
    assertThat(trace).contains("invoke_agent");
    String metrics = scrapeServe(data, config);

    List<String> outputs =
        new ArrayList<>(
            List.of(
                Files.readString(dir.resolve("run.out")),
                Files.readString(dir.resolve("run.err")),
                runs,
                trace,
                metrics,
                Cli.run("projects", "--json", "--data-dir", data.toString()).out()));
    try (Stream<Path> files = Files.walk(data)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        outputs.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
    }
    assertThat(outputs).hasSizeGreaterThan(8);
    for (String out : outputs) {
      assertThat(out)
          .doesNotContain(KEY_CANARY)
          .doesNotContain(CONFIG_CANARY)
          .doesNotContain("anthropic-canary-0987654321");
    }
    assertThat(String.join("\n", outputs)).contains("[REDACTED]");
  }

  /**
   * Keys that are configured nowhere, masked for their shape alone: in the brief's title, audience
   * and text and in a reference document, they reach no file of the data directory (store, logs,
   * spans, manuscripts).
   */
  @Test
  void keyShapedText_inABriefAndItsReference_isMaskedBeforeAnythingIsStored() throws Exception {
    List<String> keys =
        List.of(
            "sk-proj-Qw3rTy8uIo9pAs1dFg",
            "sk-ant-api03-Zx6cVb7nM2kL4jH5gF",
            "AKIAJ7Q2W4E6R8T0Y2U4",
            "eyJhbGciOiJIUzI1NiJ9.cGF5bG9hZA.c2ln",
            "hunter2hunter2");
    Path data = dir.resolve("data");
    Files.writeString(
        dir.resolve("notes.md"),
        "# Access\n\nThe staging key is %s and the deploy key %s.\n\npassword: %s\n"
            .formatted(keys.get(0), keys.get(2), keys.get(4)));
    Path brief =
        Files.writeString(
            dir.resolve("brief.yaml"),
            """
            title: "Rotating %s"
            category: technical
            audience: "holders of %s"
            brief: |
              Why %s and Authorization: Bearer %s must be rotated.
            chapters: 1
            references: [notes.md]
            """
                .formatted(keys.get(0), keys.get(2), keys.get(1), keys.get(3)));

    Cli run = Cli.run("run", brief.toString(), "--data-dir", data.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files)
        .extracting(f -> f.getFileName().toString())
        .contains("book-creator.db", "logs.db", "spans.db", "book-creator.log", "manuscript.md");
    for (Path f : files) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String key : keys) assertThat(bytes).as(f + " holds " + key).doesNotContain(key);
    }
    assertThat(Cli.run("projects", "--json", "--data-dir", data.toString()).out())
        .contains("Rotating [REDACTED]", "holders of [REDACTED]");
  }

  private String scrapeServe(Path data, Path config) throws Exception {
    Process serve =
        child(
                "serve",
                "--data-dir",
                data.toString(),
                "--config",
                config.toString(),
                "--port",
                "0",
                "--worker-port",
                "-1")
            .redirectOutput(dir.resolve("serve.out").toFile())
            .start();
    try (BufferedReader err =
        new BufferedReader(new InputStreamReader(serve.getErrorStream(), StandardCharsets.UTF_8))) {
      Pattern url = Pattern.compile("API on (http://127\\.0\\.0\\.1:\\d+/)");
      String line;
      while ((line = err.readLine()) != null) {
        Matcher m = url.matcher(line);
        if (m.find()) {
          HttpResponse<String> r =
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create(m.group(1) + "metrics")).build(),
                      HttpResponse.BodyHandlers.ofString());
          return r.body() + Files.readString(dir.resolve("serve.out"));
        }
      }
      throw new AssertionError("serve did not print its metrics address");
    } finally {
      serve.destroy();
      serve.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
