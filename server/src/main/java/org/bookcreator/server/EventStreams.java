package org.bookcreator.server;

import io.javalin.http.Handler;
import io.javalin.http.sse.Emitter;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-Sent Events, framed by Javalin's {@link Emitter}: each stream runs on its request's own
 * virtual thread (so its log lines keep the request id, and nothing touches the request after its
 * handler returns), polls its {@link Feed}, sends what it answers, and sends a {@code : heartbeat}
 * comment after a quiet spell so that proxies keep the connection and a vanished client is noticed
 * (the write fails). A stream ends when its client goes away, when its feed fails, or when the
 * server closes.
 */
final class EventStreams implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);

  /** How often a stream polls its feed, and how long it stays quiet before a heartbeat. */
  record Timing(Duration poll, Duration heartbeat) {
    static final Timing DEFAULT = new Timing(Duration.ofSeconds(1), Duration.ofSeconds(15));

    Timing {
      Objects.requireNonNull(poll, "poll");
      Objects.requireNonNull(heartbeat, "heartbeat");
      if (poll.isNegative() || poll.isZero() || heartbeat.isNegative() || heartbeat.isZero())
        throw new IllegalArgumentException("poll and heartbeat must be positive");
    }
  }

  /**
   * One event: its name ({@code event:} line), its data (one line of JSON) and its id ({@code id:}
   * line; null: none), which a client that reconnects sends back as {@code Last-Event-ID}. An event
   * with an id alone only moves the client's place.
   */
  record Event(String name, String data, String id) {
    Event {
      // A line break would end the field early: the rest would be read as another field.
      for (String field : new String[] {name, data, id}) {
        if (field != null && (field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0))
          throw new IllegalArgumentException("an event field must be one line");
      }
    }

    Event(String name, String data) {
      this(name, data, null);
    }
  }

  /** What one stream sends; called from that stream's thread only. */
  interface Feed {
    /** The events since the previous call (the first call: since the feed was made). */
    List<Event> poll();

    /**
     * Where the stream starts, sent as an {@code id:} of its own once connected: a client that
     * loses the connection before any event came reconnects from there, missing nothing.
     */
    default Optional<String> position() {
      return Optional.empty();
    }
  }

  /** Makes a stream's feed from the {@code Last-Event-ID} it sent and its query parameters. */
  interface Feeds {
    Feed open(Optional<String> lastEventId, Function<String, Optional<String>> query);
  }

  private final Timing timing;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger open = new AtomicInteger();

  EventStreams(Timing timing) {
    this.timing = Objects.requireNonNull(timing, "timing");
  }

  /**
   * A GET handler streaming a new feed to each client, made from the {@code Last-Event-ID} it sent
   * (if it reconnects); 406 unless the client accepts {@code text/event-stream} (every {@code
   * EventSource} does).
   */
  Handler handler(Feeds feeds) {
    return ctx -> {
      String accept = ctx.header("Accept");
      if (accept == null || !accept.contains("text/event-stream")) {
        throw ApiError.ofStatus(
            406, "this endpoint streams Server-Sent Events: send 'Accept: text/event-stream'");
      }
      Optional<String> lastEventId =
          Optional.ofNullable(ctx.header("Last-Event-ID"))
              .or(() -> Optional.ofNullable(ctx.queryParam("last_event_id")))
              .filter(id -> !id.isBlank());
      Feed feed =
          feeds.open(
              lastEventId,
              name -> Optional.ofNullable(ctx.queryParam(name)).filter(v -> !v.isBlank()));
      HttpServletResponse response = ctx.res();
      response.setStatus(200);
      response.setContentType("text/event-stream");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("X-Accel-Buffering", "no"); // nginx: pass each event on at once
      response.flushBuffer();
      stream(new Emitter(response), response, feed);
    };
  }

  Timing timing() {
    return timing;
  }

  /** Streams open now. */
  int open() {
    return open.get();
  }

  private void stream(Emitter emitter, HttpServletResponse response, Feed feed) {
    open.incrementAndGet();
    try {
      emitter.emit("connected");
      Optional<String> position = feed.position();
      if (position.isPresent() && !send(response, List.of(new Event(null, null, position.get()))))
        return;
      long quietSince = System.nanoTime();
      while (!emitter.getClosed()
          && !closed.await(timing.poll().toMillis(), TimeUnit.MILLISECONDS)) {
        List<Event> events = feed.poll();
        if (!events.isEmpty() && !send(response, events)) break;
        if (!events.isEmpty()) {
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince >= timing.heartbeat().toNanos()) {
          emitter.emit("heartbeat");
          quietSince = System.nanoTime();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("an event stream failed and was closed; the client may reconnect", e);
    } finally {
      open.decrementAndGet();
    }
  }

  /**
   * Writes a poll's events and flushes once (a busy poll has dozens: one flush each would be a
   * write to the socket each); false when the client went away.
   */
  private static boolean send(HttpServletResponse response, List<Event> events) {
    StringBuilder frames = new StringBuilder();
    for (Event e : events) {
      if (e.id() != null) frames.append("id: ").append(e.id()).append('\n');
      if (e.name() != null) frames.append("event: ").append(e.name()).append('\n');
      if (e.data() != null) frames.append("data: ").append(e.data()).append('\n');
      frames.append('\n');
    }
    try {
      var body = response.getOutputStream();
      body.write(frames.toString().getBytes(StandardCharsets.UTF_8));
      body.flush();
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Ends every stream within moments; new ones end at once. */
  @Override
  public void close() {
    closed.countDown();
  }
}
