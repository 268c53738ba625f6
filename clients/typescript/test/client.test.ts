/**
 * Calls a live service (ADVISOR_URL, started by the Python test suite) through the typed client.
 * Type-checked first by `tsc --noEmit`: the assignments below fail to compile if the generated
 * types stop describing the answers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createAdvisorClient,
  isValidationProblem,
  type Answer,
  type FrameworkRecommendation,
  type ProjectProfile,
  type Recommendation,
  type RecommendationFull,
  type RecommendationSummary,
} from "../src/index.js";

const baseUrl = process.env["ADVISOR_URL"];
if (!baseUrl) {
  throw new Error("set ADVISOR_URL to a running framework-advisor (the Python tests do)");
}
const client = createAdvisorClient(baseUrl);

const profile: ProjectProfile = {
  project_type: "saas",
  features: { admin_panel: "must" },
  team: { size: 6, known_frameworks: ["flask"] },
  top_k: 3,
};

test("POST /recommend answers a typed recommendation, evidence by id", async () => {
  const { data, error, response } = await client.POST("/recommend", { body: profile });
  assert.equal(response.status, 200);
  assert.equal(error, undefined);
  assert.ok(data);
  const answer: Answer = data;
  assert.equal(answer.detail, "default");
  if (answer.detail !== "default") return;
  const compact: Recommendation = answer; // narrowed on `detail`
  assert.equal(compact.recommendations.length, 3);
  const best: FrameworkRecommendation | undefined = compact.recommendations[0];
  assert.ok(best);
  assert.equal(best.rank, 1);
  assert.ok(best.score >= 0 && best.score <= 100);
  const ids: string[] = best.breakdown.flatMap((line) => line.evidence);
  assert.ok(ids.length > 0);
  assert.ok(["high", "medium", "low"].includes(compact.decision.confidence));
  assert.match(response.headers.get("x-request-id") ?? "", /^[A-Za-z0-9]/);
});

test("?detail=full and ?detail=summary answer their own typed shapes", async () => {
  const full = await client.POST("/recommend", {
    params: { query: { detail: "full" } },
    body: profile,
  });
  assert.ok(full.data);
  assert.equal(full.data.detail, "full");
  if (full.data.detail !== "full") return;
  const detailed: RecommendationFull = full.data;
  const line = detailed.recommendations[0]?.breakdown[0];
  assert.ok(line);
  assert.ok(line.evidence.every((e) => e.id.length > 0 && e.claim.length > 0));
  assert.ok(detailed.sources.every((s) => s.title.length > 0));

  const brief = await client.POST("/recommend", {
    params: { query: { detail: "summary" } },
    body: profile,
  });
  assert.ok(brief.data);
  assert.equal(brief.data.detail, "summary");
  if (brief.data.detail !== "summary") return;
  const summary: RecommendationSummary = brief.data;
  assert.equal(summary.recommendations[0]?.framework, detailed.recommendations[0]?.framework);
  assert.ok(summary.recommendations.every((e) => e.reasons.every((r) => r.text.length > 0)));
});

test("an unknown feature answers a typed problem+json 422", async () => {
  const { data, error, response } = await client.POST("/recommend", {
    body: { project_type: "api", features: { nope: "must" } },
  });
  assert.equal(data, undefined);
  assert.equal(response.status, 422);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.ok(error);
  assert.equal(error.status, 422);
  assert.ok(isValidationProblem(error));
  const [first] = error.errors;
  assert.ok(first);
  assert.equal(first.pointer, "/features/nope");
  assert.equal(first.in, "body");
  assert.ok(error.request_id.length > 0);
});
