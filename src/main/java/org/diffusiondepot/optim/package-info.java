/**
 * Optimisation as graph ops and host-side schedules, shared by every training graph: AdamW from raw
 * ops ({@link org.diffusiondepot.optim.AdamW}), the EMA of the weights ({@link
 * org.diffusiondepot.optim.Ema}), gradient global norm and clipping ({@link
 * org.diffusiondepot.optim.Gradients}) and the cosine-annealing learning rate fed every step
 * ({@link org.diffusiondepot.optim.CosineAnnealing}).
 */
package org.diffusiondepot.optim;
