package org.diffusiondepot.report;

/** A PNG written beside the page: its link relative to index.html and its size in pixels. */
record Figure(String link, int width, int height) {}
