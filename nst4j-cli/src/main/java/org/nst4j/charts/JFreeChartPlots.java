package org.nst4j.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.nst4j.experiment.ReportCharts;
import org.nst4j.experiment.ResultGroup;
import org.nst4j.experiment.Stats;

/**
 * The reports' PNG plots, drawn with JFreeChart off screen ({@code java.awt.headless=true}: no display is
 * needed, on a server or in CI). Found by nst4j-core's experiment reports through {@link ReportCharts#installed()}
 * ({@code META-INF/services/org.nst4j.experiment.ReportCharts}): the chart library stays out of the core
 * library's dependencies.
 */
public final class JFreeChartPlots implements ReportCharts {
  /** Plot width in pixels. */
  public static final int WIDTH = 960;

  /** Plot height in pixels. */
  public static final int HEIGHT = 560;

  /** A palette that stays distinguishable for the eight FMNIST-10k methods (Tableau 10). */
  private static final Color[] PALETTE = {
    new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
    new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)
  };

  /** Used by {@link java.util.ServiceLoader}; holds no state. */
  public JFreeChartPlots() {}

  private static void headless() {
    // Set before the first AWT class loads; harmless if the launcher already set it.
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * Line plot of each group's mean test accuracy (over its seeds) after every epoch.
   *
   * @param groups the groups; those without finished runs are left out
   * @param title the chart's title
   * @param yLabel the value axis' label (e.g. "test accuracy (%)")
   * @param png where to write
   */
  @Override
  public void accuracyPerEpoch(List<ResultGroup> groups, String title, String yLabel, Path png)
      throws IOException {
    headless();
    XYSeriesCollection dataset = new XYSeriesCollection();
    for (ResultGroup g : groups) {
      if (g.runs().isEmpty()) {
        continue;
      }
      XYSeries s = new XYSeries(g.label() + " (n=" + g.runs().size() + ")", true, false);
      for (Map.Entry<Integer, Double> e : g.meanAccuracyPerEpoch().entrySet()) {
        s.add(e.getKey().doubleValue(), 100 * e.getValue());
      }
      dataset.addSeries(s);
    }
    NumberAxis x = new NumberAxis("epoch");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    x.setAutoRangeIncludesZero(false);
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < dataset.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.addSubtitle(new TextTitle("mean over seeds of the test accuracy after each epoch",
        new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    style(chart);
    write(chart, png);
  }

  /**
   * Bar chart of each group's mean final test accuracy with error bars of ± one sample standard deviation.
   * The value axis starts near the lowest bar, not at 0, so that differences of tenths of a point show.
   *
   * @param groups the groups; those without finished runs are left out
   * @param title the chart's title
   * @param yLabel the value axis' label
   * @param png where to write
   */
  @Override
  public void finalAccuracy(List<ResultGroup> groups, String title, String yLabel, Path png)
      throws IOException {
    headless();
    DefaultStatisticalCategoryDataset dataset = new DefaultStatisticalCategoryDataset();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (ResultGroup g : groups) {
      if (g.runs().isEmpty()) {
        continue;
      }
      Stats s = g.finalAccuracy();
      double mean = 100 * s.mean();
      double std = Double.isNaN(s.std()) ? 0 : 100 * s.std();
      dataset.add(mean, std, "final test accuracy", barLabel(g));
      lo = Math.min(lo, mean - std);
      hi = Math.max(hi, mean + std);
    }
    CategoryAxis x = new CategoryAxis(null);
    if (dataset.getColumnCount() > 5) {
      x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    }
    NumberAxis y = new NumberAxis(yLabel);
    boolean zoomed = false;
    if (Double.isFinite(lo)) {
      double span = Math.max(hi - lo, 1);
      double lower = Math.max(0, Math.floor(lo - 0.6 * span));
      y.setRange(lower, Math.min(100, Math.ceil(hi + 0.25 * span)));
      zoomed = lower > 0;
    }
    StatisticalBarRenderer renderer = new StatisticalBarRenderer();
    renderer.setIncludeBaseInRange(false);
    renderer.setSeriesPaint(0, PALETTE[0]);
    renderer.setErrorIndicatorPaint(Color.BLACK);
    renderer.setErrorIndicatorStroke(new BasicStroke(1.5f));
    renderer.setDrawBarOutline(false);
    renderer.setShadowVisible(false);
    // The mean on each bar, inside its top, so that the numbers can be read off the picture; rounded half-up
    // like the tables' String.format (DecimalFormat's default, half-even, printed 88.08 where they say 88.09).
    java.text.DecimalFormat twoDecimals =
        new java.text.DecimalFormat("0.00", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));
    twoDecimals.setRoundingMode(java.math.RoundingMode.HALF_UP);
    renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", twoDecimals));
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultItemLabelPaint(Color.WHITE);
    renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
    renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.INSIDE6,
        TextAnchor.BOTTOM_CENTER));
    CategoryPlot plot = new CategoryPlot(dataset, x, y, renderer);
    plot.setOrientation(PlotOrientation.VERTICAL);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    chart.addSubtitle(new TextTitle("mean ± sample std (n−1) over seeds" + (zoomed ? "; the axis does not start at 0" : ""),
        new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    style(chart);
    write(chart, png);
  }

  /**
   * A bar's label: the group's, with its number of finished runs when some of its seeds are missing (a grid in
   * progress), so that a bar from one seed — drawn without an error bar — is not read as a settled mean.
   */
  static String barLabel(ResultGroup g) {
    return g.runs().size() < g.seeds().size() ? g.label() + " (n=" + g.runs().size() + ")" : g.label();
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getPlot().setBackgroundPaint(Color.WHITE);
    if (chart.getPlot() instanceof XYPlot xy) {
      xy.setDomainGridlinePaint(new Color(0xDDDDDD));
      xy.setRangeGridlinePaint(new Color(0xDDDDDD));
    } else if (chart.getPlot() instanceof CategoryPlot cp) {
      cp.setRangeGridlinePaint(new Color(0xDDDDDD));
    }
  }

  private static void write(JFreeChart chart, Path png) throws IOException {
    Path dir = png.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Written under a temporary name and renamed, like every other report file: never half a PNG.
    Path tmp = Files.createTempFile(dir, "." + png.getFileName(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
      }
      Files.move(tmp, png, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
