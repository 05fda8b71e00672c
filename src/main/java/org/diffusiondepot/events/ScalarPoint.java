package org.diffusiondepot.events;

/** One logged scalar: the training step, the event's wall time in unix seconds, and the value. */
public record ScalarPoint(long step, double wallTime, double value) {}
