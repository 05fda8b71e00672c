package org.diffusiondepot.eval;

import java.io.IOException;

/** Unconditional models: as many samples as held-out images, compared as distributions. */
final class UnconditionalEvaluation implements TaskEvaluation {
  @Override
  public void evaluate(EvaluationContext ctx) throws IOException {
    DistributionMetrics.compare(ctx, ctx.generate(ctx.reference().size(), null, null), "");
  }
}
