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
  type FrameworkRecommendation,
  type ProjectProfile,
  type Recommendation,
} from "../src/index.js";

const baseUrl = process.env["ADVISOR_URL"];
if (!baseUrl) {
  throw new Error("set ADVISOR_URL to a running framework-advisor (the Python tests do)");
}
const client = createAdvisorClient(baseUrl);

test("POST /recommend answers a typed recommendation", async () => {
  const profile: ProjectProfile = {
    project_type: "saas",
    features: { admin_panel: "must" },
    team: { size: 6, known_frameworks: ["flask"] },
    top_k: 3,
  };
  const { data, error, response } = await client.POST("/recommend", { body: profile });
  assert.equal(response.status, 200);
  assert.equal(error, undefined);
  assert.ok(data);
  const answer: Recommendation = data;
  assert.equal(answer.recommendations.length, 3);
  const best: FrameworkRecommendation | undefined = answer.recommendations[0];
  assert.ok(best);
  assert.equal(best.rank, 1);
  assert.ok(best.score >= 0 && best.score <= 100);
  assert.ok(["high", "medium", "low"].includes(answer.decision.confidence));
  assert.match(response.headers.get("x-request-id") ?? "", /^[A-Za-z0-9]/);
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
