package org.bookcreator.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Debian's headless Firefox ESR driven over WebDriver BiDi, the W3C protocol Firefox speaks itself
 * ({@code --remote-debugging-port}), from the JDK's WebSocket client: geckodriver is not packaged
 * in Debian. Enough of the protocol for page tests: navigate, evaluate a script, and the console's
 * errors ({@code log.entryAdded}). Missing locally, the test is skipped with the package to
 * install; missing under {@code CI=true}, it fails, because .ci/run installs it.
 */
final class Firefox implements AutoCloseable {
  private static final Path BROWSER = Path.of("/usr/bin/firefox-esr");
  private static final Pattern LISTENING =
      Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final Process process;
  private final WebSocket socket;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final String context;

  private Firefox(Process process, String url) throws Exception {
    this.process = process;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create(url + "/session"), new Listener())
            .get(30, TimeUnit.SECONDS);
    send("session.new", Json.object().set("capabilities", Json.object()));
    send(
        "session.subscribe",
        Json.object().set("events", Json.MAPPER.createArrayNode().add("log.entryAdded")));
    JsonNode tree = send("browsingContext.getTree", Json.object());
    this.context = tree.get("contexts").get(0).get("context").asString();
  }

  /** A new browser with a fresh profile in {@code profile}. */
  static Firefox start(Path profile) throws Exception {
    if (!Files.isExecutable(BROWSER)) {
      String message =
          "firefox-esr is not installed (apt-get install -y firefox-esr; .ci/run installs it)";
      if ("true".equalsIgnoreCase(System.getenv("CI")))
        fail("CI=true, so this must run: " + message);
      Assumptions.abort(message);
    }
    Files.createDirectories(profile);
    Process p =
        new ProcessBuilder(
                BROWSER.toString(),
                "--headless",
                "--no-remote",
                "--profile",
                profile.toAbsolutePath().toString(),
                "--remote-debugging-port=0",
                "--window-size=1280,1000")
            .redirectErrorStream(true)
            .start();
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) url.complete(m.group(1));
                }
              } catch (IOException e) {
                // the browser ended: nothing more to read
              }
              url.completeExceptionally(new IllegalStateException("firefox ended"));
            });
    try {
      return new Firefox(p, url.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /** Loads {@code url} and waits until the document has loaded. */
  void navigate(String url) throws Exception {
    send(
        "browsingContext.navigate",
        Json.object().put("context", context).put("url", url).put("wait", "complete"));
  }

  /**
   * The value of a script's expression (awaited when a promise), as JSON: strings, numbers and
   * booleans as such.
   */
  JsonNode evaluate(String expression) throws Exception {
    ObjectNode params = Json.object().put("expression", expression).put("awaitPromise", true);
    params.set("target", Json.object().put("context", context));
    JsonNode r = send("script.evaluate", params);
    if (!r.path("type").asString("").equals("success"))
      throw new AssertionError("the script failed: " + r);
    return r.get("result").path("value");
  }

  /** Waits until the expression is true; on a timeout, fails with {@code what} and the page. */
  void await(String expression, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (evaluate(expression).asBoolean(false)) return;
      Thread.sleep(100);
    }
    throw new AssertionError(
        "not in 30 s: "
            + what
            + "; the page shows: "
            + evaluate("document.querySelector('main').textContent")
            + "; console errors: "
            + errors);
  }

  /** The console's errors so far (console.error and uncaught exceptions). */
  List<String> consoleErrors() {
    return List.copyOf(errors);
  }

  /** A PNG of the page. */
  byte[] screenshot() throws Exception {
    JsonNode r = send("browsingContext.captureScreenshot", Json.object().put("context", context));
    return java.util.Base64.getDecoder().decode(r.get("data").asString());
  }

  private JsonNode send(String method, ObjectNode params) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    ObjectNode command = Json.object().put("id", id).put("method", method);
    command.set("params", params);
    socket.sendText(command.toString(), true).get(10, TimeUnit.SECONDS);
    JsonNode r = answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    if (r.path("type").asString("").equals("error"))
      throw new AssertionError(method + " failed: " + r);
    return r.get("result");
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        JsonNode message = Json.parse(text.toString());
        text.setLength(0);
        if (message.has("id")) {
          CompletableFuture<JsonNode> f = waiting.remove(message.get("id").asLong());
          if (f != null) f.complete(message);
        } else if (message.path("method").asString("").equals("log.entryAdded")) {
          JsonNode entry = message.get("params");
          if (entry.path("level").asString("").equals("error"))
            errors.add(entry.path("text").asString("") + " " + entry.path("source"));
        }
      }
      ws.request(1);
      return null;
    }
  }

  @Override
  public void close() {
    try {
      send("browser.close", Json.object());
    } catch (Exception e) {
      // closing anyway
    }
    socket.abort();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
