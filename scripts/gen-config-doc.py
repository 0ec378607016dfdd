#!/usr/bin/env python3
"""Regenerates docs/configuration.md from app/.../Setting.java (SettingsTest checks they agree)."""
import pathlib, re
root = pathlib.Path(__file__).resolve().parent.parent
src = (root / "app/src/main/java/org/bookcreator/app/Setting.java").read_text()
rows = re.findall(r'^\s+[A-Z_]+\("([^"]+)", "([^"]*)", "([^"]*)"\)', src, re.M)
out = ["# Configuration", "",
"Settings come from, in order, each overriding the one before:", "",
"1. the defaults below;",
"2. a YAML config file given with `--config FILE` or `BOOK_CREATOR_CONFIG` (nested keys or dotted keys);",
"3. environment variables: `BOOK_CREATOR_` plus the key in upper case with dots as underscores",
"   (`pipeline.workers` is `BOOK_CREATOR_PIPELINE_WORKERS`);",
"4. command-line flags (`--data-dir`, `--provider`, `--model`, `--workers`, `--seed`, `serve --port`).", "",
"Unknown keys in the file and unknown `BOOK_CREATOR_*` variables are errors that name them; every",
"bad value is reported at once (exit code 2). Durations are written `500ms`, `30s`, `5m`, `1h`;",
"sizes `500KB`, `20MB`, `1GB`.", "",
"Example `book-creator.yaml`:", "", "```yaml", "pipeline:", "  workers: 16", "  chapter_threshold: 8.0",
"simulated:", "  latency_median: 400ms", "  rate_limit_rate: 0.05", "logging:", "  levels: org.bookcreator.core.pipeline=DEBUG",
"telemetry:", "  sampling_ratio: 0.25", "```", "",
"| key | default | meaning |", "|---|---|---|"]
for k, d, m in rows:
    out.append("| `%s` | `%s` | %s |" % (k, d if d else "(empty)", m))
out += ["",
"Fault rates are probabilities per model call (0..1) and together must not exceed 1. The",
"simulated provider is deterministic for a given `simulated.seed`: the same brief and seed write",
"the same book, whatever the thread scheduling.", "",
"## Switches for small machines", "",
"- `telemetry.metrics: false` makes every instrument a no-op; `telemetry.tracing: false` the tracer.",
"- `telemetry.sampling_ratio` keeps that share of run traces (decided per trace, so a kept run is kept whole).",
"- `telemetry.capture_content` is off by default: prompts and completions stay in the ledger, never in spans.",
"- `logging.level` and `logging.levels` set log levels per package; `logging.console: off` keeps the console quiet.",
"- `worker.metrics_port: -1` turns the worker metrics endpoint off."]
(root / "docs/configuration.md").write_text("\n".join(out) + "\n")
