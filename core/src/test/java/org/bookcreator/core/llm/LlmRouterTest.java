package org.bookcreator.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.junit.jupiter.api.Test;

class LlmRouterTest {
  /** A named stand-in: routing only reads the provider name; no call is made. */
  private record Named(String provider) implements LlmClient {
    @Override
    public LlmResult complete(LlmRequest request) {
      return new LlmResult.Fatal(ErrorType.INTERNAL, "not called", request.model(), Duration.ZERO);
    }
  }

  private final LlmClient simulated = new Named("simulated");
  private final LlmClient openai = new Named("openai");
  private final LlmClient anthropic = new Named("anthropic");

  @Test
  void theMostSpecificRuleWins_andUnmatchedCallsGoToTheDefault() {
    var rules =
        LlmRouter.parseRules(
            "*/critic=anthropic:claude-haiku-4-5, chapter_writing/*=openai,"
                + " chapter_writing/critic=openai:gpt-4o-mini");
    LlmRouter router =
        new LlmRouter(simulated, List.of(openai, anthropic), rules, Optional.empty(), 2);

    assertThat(router.target(Stage.STRUCTURE_CRITIQUE, AgentRole.CRITIC, 1, "sim-standard"))
        .isEqualTo(new LlmRouter.Target(anthropic, "claude-haiku-4-5", false));
    assertThat(router.target(Stage.CHAPTER_WRITING, AgentRole.CRITIC, 1, "sim-standard"))
        .isEqualTo(new LlmRouter.Target(openai, "gpt-4o-mini", false));
    assertThat(router.target(Stage.CHAPTER_WRITING, AgentRole.WRITER, 1, "sim-standard"))
        .isEqualTo(new LlmRouter.Target(openai, "default", false));
    assertThat(router.target(Stage.OUTLINE, AgentRole.PLANNER, 1, "sim-pro"))
        .isEqualTo(new LlmRouter.Target(simulated, "sim-pro", false));
  }

  @Test
  void providers_areTheDefaultFirst_thenEveryOtherConfiguredOneOnce() {
    LlmRouter router =
        new LlmRouter(
            simulated, List.of(openai, anthropic, openai), List.of(), Optional.empty(), 1);

    assertThat(router.providers()).containsExactly("simulated", "anthropic", "openai");
    assertThat(LlmRouter.single(openai).providers()).containsExactly("openai");
  }

  @Test
  void theFallbackTakesOver_afterTheConfiguredFailedAttempts() {
    LlmRouter router =
        new LlmRouter(
            openai,
            List.of(anthropic),
            List.of(),
            Optional.of(LlmRouter.parseTarget("anthropic:claude-haiku-4-5")),
            2);

    assertThat(router.target(Stage.OUTLINE, AgentRole.PLANNER, 1, "gpt-4o").client())
        .isEqualTo(openai);
    assertThat(router.target(Stage.OUTLINE, AgentRole.PLANNER, 2, "gpt-4o").client())
        .isEqualTo(openai);
    assertThat(router.target(Stage.OUTLINE, AgentRole.PLANNER, 3, "gpt-4o"))
        .isEqualTo(new LlmRouter.Target(anthropic, "claude-haiku-4-5", true));
  }

  @Test
  void badRules_areAllReported_namingEachOne() {
    assertThatThrownBy(
            () ->
                LlmRouter.parseRules(
                    "outline=openai, lunch/writer=openai, */doc_parser=openai, */writer=openai:"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'outline=openai': expected STAGE/ROLE=PROVIDER[:MODEL]")
        .hasMessageContaining("'lunch/writer=openai': unknown stage")
        .hasMessageContaining("role doc_parser does not call a model")
        .hasMessageContaining("no model after ':'");
  }

  @Test
  void aRuleNamingAnUnconfiguredProvider_isRefused() {
    assertThatThrownBy(
            () ->
                new LlmRouter(
                    simulated,
                    List.of(),
                    LlmRouter.parseRules("*/writer=openai"),
                    Optional.empty(),
                    1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'openai', which is not configured");
  }
}
