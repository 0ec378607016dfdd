package org.bookcreator.telemetry.sdk;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.LogLine;
import org.bookcreator.telemetry.Redactor;
import org.slf4j.event.KeyValuePair;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes each log event as one JSON object on one line, with the field names of DESIGN.md: {@code
 * ts, level, logger, thread, message, service}, {@code instance} (the process, see {@link
 * org.bookcreator.telemetry.Instance}), then the context ({@code project_id, run_id, ...}) and the
 * event's key-value pairs, then {@code error_type} and {@code stack_trace}. Control characters in
 * any value are escaped by the JSON writer, so user text cannot break or forge a record; every
 * string passes through the {@link Redactor}.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  /** Longest message kept; longer ones are cut and say by how much. */
  public static final int MAX_VALUE_CHARS = 32 * 1024;

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Set<String> RESERVED =
      Set.of("ts", "level", "logger", "thread", "message", "service", "instance");
  private static final byte[] EMPTY = new byte[0];

  private final JsonFactory factory = new JsonFactory();
  private final String service;
  private final Redactor redactor;
  private final java.util.function.Consumer<LogLine> tap;

  public JsonLineEncoder(String service, Redactor redactor) {
    this(service, redactor, null);
  }

  /**
   * Also hands each encoded record to {@code tap} (null: none): how the store's copy is fed without
   * encoding twice.
   */
  JsonLineEncoder(String service, Redactor redactor, java.util.function.Consumer<LogLine> tap) {
    this.service = service;
    this.redactor = redactor;
    this.tap = tap;
  }

  @Override
  public byte[] headerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] footerBytes() {
    return EMPTY;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringProperty("ts", TS.format(Instant.ofEpochMilli(event.getTimeStamp())));
      g.writeStringProperty("level", event.getLevel().toString());
      g.writeStringProperty("logger", event.getLoggerName());
      g.writeStringProperty("thread", clip(event.getThreadName()));
      g.writeStringProperty("message", clip(redactor.redact(event.getFormattedMessage())));
      g.writeStringProperty("service", service);
      g.writeStringProperty("instance", org.bookcreator.telemetry.Instance.id());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> e : mdc.entrySet()) {
          if (!RESERVED.contains(e.getKey()))
            g.writeStringProperty(e.getKey(), clip(redactor.redact(e.getValue())));
        }
      }
      boolean errorType = false;
      String provider = null;
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair kv : event.getKeyValuePairs()) {
          if (kv.key == null
              || RESERVED.contains(kv.key)
              || (mdc != null && mdc.containsKey(kv.key))) continue;
          errorType |= kv.key.equals("error_type");
          if (kv.key.equals(LogContext.PROVIDER) && kv.value != null)
            provider = String.valueOf(kv.value);
          g.writeName(kv.key);
          switch (kv.value) {
            case null -> g.writeNull();
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Double d when Double.isFinite(d) -> g.writeNumber(d);
            case java.math.BigDecimal b -> g.writeNumber(b);
            case Boolean b -> g.writeBoolean(b);
            default -> g.writeString(clip(redactor.redact(String.valueOf(kv.value))));
          }
        }
      }
      if (provider == null && mdc != null) provider = mdc.get(LogContext.PROVIDER);
      IThrowableProxy t = event.getThrowableProxy();
      if (t != null) {
        if (!errorType) g.writeStringProperty("error_type", simpleName(t.getClassName()));
        g.writeStringProperty("stack_trace", clip(redactor.redact(ThrowableProxyUtil.asString(t))));
      }
      g.writeEndObject();
      g.close();
      if (tap != null) {
        Map<String, String> m = mdc == null ? Map.of() : mdc;
        tap.accept(
            new LogLine(
                event.getTimeStamp(),
                event.getLevel().toString(),
                m.get(LogContext.PROJECT_ID),
                m.get(LogContext.RUN_ID),
                m.get(LogContext.STAGE),
                m.get(LogContext.AGENT_ROLE),
                provider,
                m.get(LogContext.TRACE_ID),
                m.get("request_id"),
                out.toString(java.nio.charset.StandardCharsets.UTF_8)));
      }
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static String simpleName(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? className : className.substring(dot + 1);
  }

  static String clip(String s) {
    if (s == null || s.length() <= MAX_VALUE_CHARS) return s;
    return s.substring(0, MAX_VALUE_CHARS)
        + "...["
        + (s.length() - MAX_VALUE_CHARS)
        + " more chars]";
  }
}
