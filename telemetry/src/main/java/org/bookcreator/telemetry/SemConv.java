package org.bookcreator.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Every telemetry name in one place. The OpenTelemetry GenAI conventions are still marked
 * Development upstream; when they change, this is the one class to edit.
 */
public final class SemConv {
  private SemConv() {}

  // GenAI semantic conventions (attributes)
  public static final AttributeKey<String> GEN_AI_OPERATION_NAME =
      AttributeKey.stringKey("gen_ai.operation.name");
  public static final AttributeKey<String> GEN_AI_PROVIDER_NAME =
      AttributeKey.stringKey("gen_ai.provider.name");
  public static final AttributeKey<String> GEN_AI_REQUEST_MODEL =
      AttributeKey.stringKey("gen_ai.request.model");
  public static final AttributeKey<String> GEN_AI_RESPONSE_MODEL =
      AttributeKey.stringKey("gen_ai.response.model");
  public static final AttributeKey<String> GEN_AI_TOKEN_TYPE =
      AttributeKey.stringKey("gen_ai.token.type");
  public static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.input_tokens");
  public static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  public static final AttributeKey<Long> GEN_AI_USAGE_CACHE_READ_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  public static final AttributeKey<Long> GEN_AI_USAGE_CACHE_CREATION_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  public static final AttributeKey<String> GEN_AI_AGENT_NAME =
      AttributeKey.stringKey("gen_ai.agent.name");
  public static final AttributeKey<String> GEN_AI_INPUT_MESSAGES =
      AttributeKey.stringKey("gen_ai.input.messages");
  public static final AttributeKey<String> GEN_AI_OUTPUT_MESSAGES =
      AttributeKey.stringKey("gen_ai.output.messages");
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  public static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");
  public static final String OPERATION_CHAT = "chat";
  public static final String OPERATION_INVOKE_AGENT = "invoke_agent";
  public static final String TOKEN_INPUT = "input";
  public static final String TOKEN_OUTPUT = "output";

  // GenAI semantic conventions (metrics) and their advised bucket boundaries
  public static final String GEN_AI_CLIENT_OPERATION_DURATION = "gen_ai.client.operation.duration";
  public static final String GEN_AI_CLIENT_TOKEN_USAGE = "gen_ai.client.token.usage";
  public static final List<Double> DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  public static final List<Long> TOKEN_BUCKETS =
      List.of(
          1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L,
          16777216L, 67108864L);

  // Our own attributes
  public static final AttributeKey<String> PROJECT_ID =
      AttributeKey.stringKey("book_creator.project.id");
  public static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("book_creator.run.id");
  public static final AttributeKey<String> STAGE = AttributeKey.stringKey("book_creator.stage");
  public static final AttributeKey<String> CATEGORY =
      AttributeKey.stringKey("book_creator.category");
  public static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("book_creator.task.id");
  public static final AttributeKey<String> TASK_KEY =
      AttributeKey.stringKey("book_creator.task.key");
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("book_creator.attempt");
  public static final AttributeKey<String> COST_USD =
      AttributeKey.stringKey("book_creator.cost_usd");

  // Metric label names (bounded values only: never project, run, task or chapter ids)
  public static final String L_CATEGORY = "category";
  public static final String L_STAGE = "stage";
  public static final String L_OUTCOME = "outcome";
  public static final String L_AGENT_ROLE = "agent_role";
  public static final String L_PROVIDER = "provider";
  public static final String L_MODEL = "model";
  public static final String L_ERROR_TYPE = "error_type";
  public static final String L_WORKER = "worker";
  public static final String L_SIGNAL = "signal";
}
