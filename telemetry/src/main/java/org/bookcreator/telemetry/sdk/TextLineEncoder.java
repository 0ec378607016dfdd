package org.bookcreator.telemetry.sdk;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.Redactor;
import org.slf4j.event.KeyValuePair;

/**
 * The human-readable console format: {@code 12:00:01.234 INFO Orchestrator [run_x outline planner]
 * message key=value}. Control characters are shown escaped so one event stays one line (stack
 * traces follow on their own lines, indented).
 */
public final class TextLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final List<String> CONTEXT =
      List.of(LogContext.RUN_ID, LogContext.STAGE, LogContext.AGENT_ROLE);
  private final Redactor redactor;

  public TextLineEncoder(Redactor redactor) {
    this.redactor = redactor;
  }

  @Override
  public byte[] headerBytes() {
    return new byte[0];
  }

  @Override
  public byte[] footerBytes() {
    return new byte[0];
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(128);
    sb.append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append(' ');
    sb.append(String.format("%-5s", e.getLevel())).append(' ');
    String logger = e.getLoggerName();
    sb.append(logger.substring(logger.lastIndexOf('.') + 1));
    Map<String, String> mdc = e.getMDCPropertyMap();
    StringBuilder ctx = new StringBuilder();
    for (String k : CONTEXT) {
      String v = mdc == null ? null : mdc.get(k);
      if (v != null) ctx.append(ctx.length() == 0 ? "" : " ").append(v);
    }
    if (ctx.length() > 0) sb.append(" [").append(escape(ctx.toString())).append(']');
    sb.append(' ').append(escape(redactor.redact(e.getFormattedMessage())));
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        sb.append(' ')
            .append(kv.key)
            .append('=')
            .append(escape(redactor.redact(String.valueOf(kv.value))));
      }
    }
    sb.append('\n');
    if (e.getThrowableProxy() != null) {
      for (String line :
          redactor.redact(ThrowableProxyUtil.asString(e.getThrowableProxy())).split("\\R")) {
        sb.append("    ").append(escape(line)).append('\n');
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String escape(String s) {
    if (s == null) return "null";
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              if (c == '\n') sb.append("\\n");
              else if (c == '\r') sb.append("\\r");
              else if (c == '\t') sb.append("\\t");
              else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029)
                sb.append(String.format("\\u%04x", c));
              else sb.appendCodePoint(c);
            });
    return sb.toString();
  }
}
