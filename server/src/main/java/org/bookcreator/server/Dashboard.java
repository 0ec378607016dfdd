package org.bookcreator.server;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard: plain ES modules under {@code /assets/} that read the JSON API
 * (docs/dashboard.md), one HTML shell for every page, uPlot from its WebJar, and the sign-in page
 * when a token is configured. Every file is read from the jar once, at start, from a fixed list: a
 * request names a file of that list or gets a 404, so no path reaches beyond it.
 */
final class Dashboard {
  /** The pages; the shell's script draws the one the path names. */
  static final List<String> PAGES =
      List.of(
          "/",
          "/runs",
          "/runs/{id}",
          "/costs",
          "/library",
          "/agents",
          "/providers",
          "/alerts",
          "/logs",
          "/workers");

  private static final String FOLDER = "dashboard/";
  private static final List<String> FILES =
      List.of(
          "shell.html",
          "login.html",
          "dashboard.css",
          "app.js",
          "api.js",
          "dom.js",
          "format.js",
          "live.js",
          "overview.js",
          "runs.js",
          "run.js",
          "login.js",
          "constants.js",
          "runparts.js",
          "conversation.js",
          "alerts.js",
          "logs.js",
          "workers.js",
          "analytics.js",
          "costs.js",
          "library.js",
          "agents.js",
          "providers.js");
  private static final String UPLOT = "org.webjars.npm/uplot";
  private static final List<String> UPLOT_FILES = List.of("uPlot.iife.min.js", "uPlot.min.css");
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  /**
   * The runbooks (docs/runbooks, copied into the jar at build): served as plain text, so that the
   * diagnosis's link works offline and whatever a runbook holds is shown, never run.
   */
  private static final String RUNBOOKS = "runbooks/";

  private static final Pattern RUNBOOK = Pattern.compile("[a-z0-9-]{1,80}\\.md");

  private record Asset(String contentType, byte[] bytes) {}

  private final Access access;
  private final Map<String, Asset> assets = new HashMap<>();
  private final Map<String, Asset> runbooks = new ConcurrentHashMap<>();

  Dashboard(Access access) {
    this.access = access;
    for (String name : FILES) assets.put(name, read(FOLDER + name));
    String uplot = "META-INF/resources/webjars/uplot/" + webJarVersion(UPLOT) + "/dist/";
    for (String name : UPLOT_FILES) assets.put("uplot/" + name, read(uplot + name));
  }

  void addRoutes(JavalinDefaultRoutingApi routes) {
    for (String page : PAGES) routes.get(page, this::page);
    routes.get("/login", ctx -> send(ctx, "login.html"));
    routes.post("/login", this::signIn);
    routes.get("/assets/{file}", ctx -> asset(ctx, ctx.pathParam("file")));
    routes.get("/assets/uplot/{file}", ctx -> asset(ctx, "uplot/" + ctx.pathParam("file")));
    routes.get("/runbooks/{name}", this::runbook);
  }

  /** A runbook's markdown as text; 404 for a name that is not a runbook in the jar. */
  private void runbook(Context ctx) {
    String name = ctx.pathParam("name");
    if (!RUNBOOK.matcher(name).matches()) throw ApiError.notFound("no such runbook");
    if (!access.signedIn(ctx)) {
      ctx.redirect("/login", HttpStatus.SEE_OTHER);
      return;
    }
    Asset a = runbooks.computeIfAbsent(name, Dashboard::readRunbook);
    if (a == null) throw ApiError.notFound("no runbook " + name);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.contentType(a.contentType()).result(a.bytes());
  }

  private static Asset readRunbook(String name) {
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(RUNBOOKS + name)) {
      return in == null ? null : new Asset("text/plain; charset=utf-8", in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the runbook " + name, e);
    }
  }

  private void page(Context ctx) {
    String id = ctx.pathParamMap().get("id");
    if (id != null && !RUN_ID.matcher(id).matches()) throw ApiError.notFound("no such run");
    if (!access.signedIn(ctx)) {
      ctx.redirect("/login", HttpStatus.SEE_OTHER);
      return;
    }
    send(ctx, "shell.html");
  }

  /** The login form's POST: the cookie and back to the Overview, or the form again with a note. */
  private void signIn(Context ctx) {
    if (!access.required()) {
      ctx.redirect("/", HttpStatus.SEE_OTHER);
      return;
    }
    if (!access.isToken(ctx.formParam("token"))) {
      ctx.redirect("/login?failed", HttpStatus.SEE_OTHER);
      return;
    }
    ctx.header("Set-Cookie", access.sessionCookie(ctx.scheme().equals("https")));
    ctx.redirect("/", HttpStatus.SEE_OTHER);
  }

  private void asset(Context ctx, String name) {
    if (!assets.containsKey(name) || name.endsWith(".html"))
      throw ApiError.notFound("no such file");
    send(ctx, name);
  }

  private void send(Context ctx, String name) {
    Asset a = assets.get(name);
    ctx.contentType(a.contentType()).result(a.bytes());
  }

  private static Asset read(String resource) {
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null)
        throw new IllegalStateException("the dashboard file " + resource + " is not in the jar");
      return new Asset(contentType(resource), in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the dashboard file " + resource, e);
    }
  }

  private static String contentType(String name) {
    if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
    if (name.endsWith(".css")) return "text/css; charset=utf-8";
    return "text/html; charset=utf-8";
  }

  /** The version of a WebJar on the class path, from its Maven properties. */
  private static String webJarVersion(String groupAndArtifact) {
    String resource = "META-INF/maven/" + groupAndArtifact + "/pom.properties";
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException(resource + " is not on the class path");
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + resource, e);
    }
  }
}
