/**
 * A typed client for framework-advisor.
 *
 * `schema.d.ts` is generated from the service's committed `openapi.json` by openapi-typescript
 * (`npm run generate`); openapi-fetch turns it into a fetch wrapper whose paths, bodies, answers
 * and problem documents are all typed.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
export type ProjectProfile = Schemas["ProjectProfile"];
/** The default answer: every point accounted for, evidence by id. */
export type Recommendation = Schemas["Recommendation"];
/** `?detail=full`: evidence, raw figures, reasons, stack and sources inline. */
export type RecommendationFull = Schemas["RecommendationFull"];
/** `?detail=summary`: ranks, scores, the top reasons and warnings, and the decision. */
export type RecommendationSummary = Schemas["RecommendationSummary"];
/** Any answer of POST /recommend: narrow it on `detail`. */
export type Answer = Recommendation | RecommendationFull | RecommendationSummary;
export type Detail = Schemas["Detail"];
export type FrameworkRecommendation = Schemas["FrameworkRecommendation"];
export type Problem = Schemas["Problem"];
export type ValidationProblem = Schemas["ValidationProblem"];

export type AdvisorClient = Client<paths>;

/** A client for the service at `baseUrl`, e.g. `http://127.0.0.1:8000`. */
export function createAdvisorClient(
  baseUrl: string,
  options: Omit<ClientOptions, "baseUrl"> = {},
): AdvisorClient {
  return createClient<paths>({ ...options, baseUrl });
}

/** True for a problem document that lists the invalid inputs (400 and 422). */
export function isValidationProblem(
  problem: Problem | ValidationProblem,
): problem is ValidationProblem {
  return "errors" in problem && Array.isArray(problem.errors);
}
