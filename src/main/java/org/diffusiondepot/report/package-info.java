/**
 * A static HTML report of a model ({@code tools/depot report}): {@link
 * org.diffusiondepot.report.ReportBuilder} writes {@code index.html} and its PNG figures from a
 * training run, an export, or both.
 *
 * <p>The page is a list of sections (model card and architecture, noise schedules, forward process,
 * reverse process, training curves, samples, metrics), each rendered from a shared context that
 * opens the config, the model card, the export and example images only when a section needs them.
 * A section that cannot be drawn says why in the page; one that fails shows its error and the rest
 * is still written.
 *
 * <p>What differs between tasks is asked of the task ({@code DiffusionTask}): its shapes (whether
 * it denoises latents), the conditioning it draws for held-out images ({@code forHeldOut}: masks and
 * degradations seeded per image) and how it shows samples ({@code panels}). The one class that
 * looks at which task a model has is {@code TaskSections}: it picks the samples figure (a grid for
 * unconditional models, a row per class for class-conditional ones, the task's panels beside the
 * true image for inpainting and super-resolution) and conditions the reverse-process chains.
 * {@code TaskSampling} holds the sampling settings every figure shares and turns a task's
 * conditioning into a sampling request. {@code LabeledGrid} draws every strip and panel.
 */
package org.diffusiondepot.report;
