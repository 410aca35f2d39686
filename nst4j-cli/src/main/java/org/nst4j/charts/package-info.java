/**
 * The PNG plots of experiment and sweep reports, drawn with JFreeChart: the implementation of
 * {@link org.nst4j.experiment.ReportCharts} that nst4j-core finds through {@link java.util.ServiceLoader}.
 *
 * <p>It lives in nst4j-cli so that the library (nst4j-core) does not put a chart library on its users' class
 * path; it reads {@code experiment}'s result groups and {@code train}'s epoch records, and nothing imports it.
 */
package org.nst4j.charts;
