package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard over real HTTP: its security headers, the sign-in with the token and the cookie it
 * sets, the Origin check on changes made with that cookie, and which paths it serves.
 */
class DashboardHttpTest {
  private static final String TOKEN = "a-token-of-twenty-chars";

  @TempDir Path dir;
  private TestServer t;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @AfterEach
  void stop() {
    if (t != null) t.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.base + path));
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String type, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(t.base + path))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String signIn() throws Exception {
    HttpResponse<String> r = post("/login", "application/x-www-form-urlencoded", "token=" + TOKEN);
    assertThat(r.statusCode()).isEqualTo(303);
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.split(";", 2)[0];
  }

  @Test
  void pagesAndAssets_carryACspWithoutInlineCode_nosniff_andNoFraming() throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);

    for (String path : new String[] {"/", "/runs", "/runs/run_1", "/assets/app.js"}) {
      HttpResponse<String> r = get(path);

      assertThat(r.statusCode()).as(path).isEqualTo(200);
      String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
      assertThat(csp)
          .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
          .doesNotContain("unsafe-inline", "unsafe-eval");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }
    assertThat(get("/").body()).contains("<script type=\"module\" src=\"/assets/app.js\">");
    assertThat(get("/assets/app.js").headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
    assertThat(get("/assets/uplot/uPlot.iife.min.js").body()).contains("uPlot");
  }

  @Test
  void unknownPages_andPathsOutOfTheAssetFolder_are404() throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);

    assertThat(get("/nowhere").statusCode()).isEqualTo(404);
    assertThat(get("/runs/run_1/more").statusCode()).isEqualTo(404);
    assertThat(get("/assets/nothing.js").statusCode()).isEqualTo(404);
    assertThat(get("/assets/shell.html").statusCode()).isEqualTo(404);
    for (String escape :
        new String[] {
          "/assets/..%2fdashboard.css",
          "/assets/..%2f..%2fMETA-INF%2fMANIFEST.MF",
          "/assets/%2e%2e/ApiServer.class",
          "/assets/uplot/..%2f..%2f..%2fpom.properties",
          "/assets/..%5cdashboard.css"
        }) {
      HttpResponse<String> r = get(escape);
      assertThat(r.statusCode()).as(escape).isIn(400, 404);
      assertThat(r.body()).as(escape).doesNotContain("Manifest-Version", "version=", "--ink");
    }
  }

  @Test
  void withAToken_pagesSendToLogin_theRightTokenSetsAnHttpOnlyStrictCookie_theApiAcceptsIt()
      throws Exception {
    t = new TestServer(dir, Optional.of(TOKEN), 64 * 1024);

    HttpResponse<String> page = get("/runs");
    HttpResponse<String> wrong =
        post("/login", "application/x-www-form-urlencoded", "token=not-the-token-at-all");
    HttpResponse<String> right =
        post("/login", "application/x-www-form-urlencoded", "token=" + TOKEN);
    String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
    String session = cookie.split(";", 2)[0];

    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location")).contains("/login");
    assertThat(get("/login").statusCode()).isEqualTo(200);
    assertThat(wrong.headers().firstValue("Location")).contains("/login?failed");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/").doesNotContain(TOKEN);
    assertThat(get("/api/runs").statusCode()).isEqualTo(401);
    assertThat(get("/api/runs", "Cookie", "book_creator_session=forged").statusCode())
        .isEqualTo(401);
    assertThat(get("/api/runs", "Cookie", session).statusCode()).isEqualTo(200);
    assertThat(get("/runs", "Cookie", session).statusCode()).isEqualTo(200);
    assertThat(get("/api/runs", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void changesWithTheCookie_needThisServersOrigin_andAnotherOriginIsRefusedAnyway()
      throws Exception {
    t = new TestServer(dir, Optional.of(TOKEN), 64 * 1024);
    String session = signIn();
    String host = URI.create(t.base).getAuthority();
    String body = "{\"title\":\"T\",\"category\":\"fiction\",\"brief\":\"B.\",\"chapters\":1}";

    HttpResponse<String> crossSite =
        post(
            "/api/projects",
            "application/json",
            body,
            "Cookie",
            session,
            "Origin",
            "http://evil.example");
    HttpResponse<String> noOrigin =
        post("/api/projects", "application/json", body, "Cookie", session);
    HttpResponse<String> crossWithBearer =
        post(
            "/api/projects",
            "application/json",
            body,
            "Authorization",
            "Bearer " + TOKEN,
            "Origin",
            "http://evil.example");
    HttpResponse<String> sameSite =
        post(
            "/api/projects",
            "application/json",
            body,
            "Cookie",
            session,
            "Origin",
            "http://" + host);

    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).contains("\"error\":\"forbidden\"");
    assertThat(noOrigin.statusCode()).isEqualTo(403);
    assertThat(crossWithBearer.statusCode()).isEqualTo(403);
    assertThat(sameSite.statusCode()).isEqualTo(201);
    assertThat(t.store.projects()).hasSize(1);
  }

  @Test
  void withoutAToken_aCrossOriginChangeIsStillRefused_andLoginIsNotNeeded() throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);

    HttpResponse<String> cross =
        post(
            "/api/projects",
            "application/json",
            "{\"title\":\"T\",\"category\":\"fiction\",\"brief\":\"B.\",\"chapters\":1}",
            "Origin",
            "http://evil.example");

    assertThat(cross.statusCode()).isEqualTo(403);
    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(post("/login", "application/x-www-form-urlencoded", "token=x").statusCode())
        .isEqualTo(303);
  }
}
