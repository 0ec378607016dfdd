package org.bookcreator.store.jdbc;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Page;
import org.bookcreator.core.store.ProjectFilter;
import org.bookcreator.core.store.Store.BudgetSpend;
import org.bookcreator.core.store.Store.OpenBudget;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** Projects: their briefs, budgets and references, and what they spent. */
final class Projects extends Part {
  Projects(Db db) {
    super(db);
  }

  // ---- projects and runs

  public void createProject(Project p) {
    tx(
        "create project " + p.id(),
        () -> {
          ArrayNode refs = Json.MAPPER.createArrayNode();
          p.references().forEach(refs::add);
          update(
              "INSERT INTO projects(id, title, category, audience, brief, chapters, budget_usd,"
                  + " refs, created_at, pause_at_budget) VALUES (?,?,?,?,?,?,?,?,?,?)",
              p.id(),
              p.title(),
              p.category(),
              p.audience(),
              p.brief(),
              p.chapters(),
              p.budgetUsd().map(BigDecimal::toPlainString),
              Json.write(refs),
              p.createdAt(),
              p.pauseAtBudget() ? 1 : 0);
          return null;
        });
  }

  public void setBudget(String projectId, Optional<BigDecimal> budgetUsd) {
    tx(
        "set the budget of project " + projectId,
        () -> {
          if (update(
                  "UPDATE projects SET budget_usd = ? WHERE id = ?",
                  budgetUsd.map(BigDecimal::toPlainString),
                  projectId)
              == 0) {
            throw new StoreException("no project " + projectId);
          }
          return null;
        });
  }

  public void addReference(String projectId, String path) {
    tx(
        "add a reference to project " + projectId,
        () -> {
          String refs =
              one("SELECT refs FROM projects WHERE id = ?", rs -> rs.getString(1), projectId)
                  .orElseThrow(() -> new StoreException("no project " + projectId));
          ArrayNode arr = (ArrayNode) Json.parse(refs);
          for (JsonNode n : arr) {
            if (n.asString().equals(path)) return null;
          }
          arr.add(path);
          update("UPDATE projects SET refs = ? WHERE id = ?", Json.write(arr), projectId);
          return null;
        });
  }

  public BigDecimal projectSpend(String projectId) {
    return tx(
        "sum the spend of project " + projectId,
        () ->
            one(
                    "SELECT cost_picousd FROM project_spend WHERE project_id = ?",
                    rs -> Rows.usd(rs.getLong(1)),
                    projectId)
                .orElse(BigDecimal.ZERO));
  }

  public List<BudgetSpend> budgetSpends() {
    return tx(
        "read the budgets and spend of projects",
        () ->
            query(
                "SELECT p.id, p.budget_usd, COALESCE(s.cost_picousd, 0) FROM projects p LEFT JOIN"
                    + " project_spend s ON s.project_id = p.id WHERE p.budget_usd IS NOT NULL",
                rs ->
                    new BudgetSpend(
                        rs.getString(1),
                        new BigDecimal(rs.getString(2)),
                        Rows.usd(rs.getLong(3)))));
  }

  public List<OpenBudget> openBudgets(BigDecimal minShare) {
    // The share is compared in floating point in SQL (budgets are text) with a margin far above
    // its rounding, so nothing at the share is left out; callers compare exactly.
    double floor = minShare.doubleValue() * (1 - 1e-9) * 1e12;
    return tx(
        "read the budgets of projects with an open run",
        () ->
            query(
                "SELECT p.id, p.title, r.id, r.state, p.budget_usd, COALESCE(s.cost_picousd, 0)"
                    + " FROM runs r JOIN projects p ON p.id = r.project_id LEFT JOIN project_spend"
                    + " s ON s.project_id = p.id WHERE r.state IN ('QUEUED', 'RUNNING', 'PAUSED')"
                    + " AND p.budget_usd IS NOT NULL AND COALESCE(s.cost_picousd, 0) >="
                    + " CAST(p.budget_usd AS DOUBLE PRECISION) * ? ORDER BY p.id",
                rs ->
                    new OpenBudget(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        RunState.valueOf(rs.getString(4)),
                        new BigDecimal(rs.getString(5)),
                        Rows.usd(rs.getLong(6))),
                floor));
  }

  public Optional<Project> project(String projectId) {
    return tx(
        "read project", () -> one("SELECT * FROM projects WHERE id = ?", Rows::project, projectId));
  }

  public List<Project> projects() {
    return tx(
        "list projects",
        () -> query("SELECT * FROM projects ORDER BY created_at, id", Rows::project));
  }

  public Page<Project> projectPage(ProjectFilter f) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    f.category().ifPresent(c -> clause(where, args, " AND p.category = ?", c));
    f.latestStage().ifPresent(st -> clause(where, args, " AND l.stage = ?", st));
    f.latestState().ifPresent(st -> clause(where, args, " AND l.state = ?", st));
    if (f.noRun()) where.append(" AND l.id IS NULL");
    String from =
        " FROM projects p LEFT JOIN runs l ON l.project_id = p.id AND l.number = (SELECT"
            + " MAX(number) FROM runs m WHERE m.project_id = p.id)"
            + where;
    return page(
        "list projects",
        "p.*",
        from,
        "p.created_at DESC, p.id",
        args,
        Rows::project,
        f.limit(),
        f.offset());
  }
}
