package org.diffusiondepot.eval;

import java.io.IOException;

/**
 * The metrics that fit one task, on the held-out images of an {@link EvaluationContext}; {@link
 * Evaluations} picks the implementation for an export's task. An implementation puts its metrics,
 * each with its sample count, into the context's report and prints one line per result.
 */
public interface TaskEvaluation {
  void evaluate(EvaluationContext ctx) throws IOException;
}
