package org.nst4j.cli;

import java.util.Iterator;
import java.util.List;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.MethodOption;
import org.nst4j.transfer.SpatialPolicy;
import org.nst4j.transfer.TransferMethods;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The transfer-method options of {@code loss} and {@code distill}: one CLI option per {@link MethodOption} of the
 * registry ({@link TransferMethods#allOptions()}), made here from the option's name, default and help text
 * ({@link #install}), plus the two settings every feature-map method shares, {@code --taps} and
 * {@code --spatial}. {@link #toOptions()} validates them (an invalid value is an {@link
 * IllegalArgumentException}, which the CLI reports as {@code error: ...}).
 */
final class LossOptionsMixin {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = "--taps", split = ",", paramLabel = "TAP",
      description = "Taps to compare, comma-separated: NAME, or STUDENT:TEACHER (default: NST and FitNet the"
          + " last tap, AT every tap both models have).")
  List<String> taps;

  @Option(names = "--spatial", paramLabel = "pool|refuse", defaultValue = "pool",
      description = "Maps of different size: pool the larger one (adaptive average) or refuse"
          + " (default: ${DEFAULT-VALUE}).")
  String spatial;

  /** A command that takes the registry's method options ({@code --kd-temperature}, {@code --lambda}, ...). */
  interface TakesMethodOptions {}

  /**
   * Adds the registry's method options to {@code root} and each of its subcommands, at any depth ({@code detect
   * train}), that {@link TakesMethodOptions}.
   *
   * @param root a command line
   * @return root
   */
  static CommandLine install(CommandLine root) {
    List<CommandLine> all = new java.util.ArrayList<>(List.of(root));
    for (int i = 0; i < all.size(); i++) {
      all.addAll(all.get(i).getSubcommands().values());
    }
    for (CommandLine sub : all) {
      CommandSpec spec = sub.getCommandSpec();
      if (!(spec.userObject() instanceof TakesMethodOptions)
          || spec.findOption(TransferMethods.allOptions().get(0).cliName()) != null) {
        continue;
      }
      for (MethodOption<?> o : TransferMethods.allOptions()) {
        OptionSpec.Builder b = OptionSpec.builder(o.cliName());
        if (o.flagValue() != null) {
          b.arity("0").type(boolean.class).description(o.description());
        } else {
          b.type(String.class).paramLabel(o.paramLabel())
              .description(o.description().replaceAll("\\.$", "") + " (default: " + o.defaultText() + ").");
        }
        spec.addOption(b.build());
      }
    }
    return root;
  }

  /**
   * The validated options.
   *
   * @return the loss options
   * @throws IllegalArgumentException naming the invalid option
   */
  LossOptions toOptions() {
    return methodOptions(mixee).optTaps(taps).optSpatial(SpatialPolicy.parse(spatial)).build();
  }

  /**
   * The method options given on a command's line (the others keep their defaults).
   *
   * @param command a command that {@link TakesMethodOptions}, after parsing
   * @return a builder holding them
   * @throws IllegalArgumentException naming the invalid option
   */
  static LossOptions.Builder methodOptions(CommandSpec command) {
    LossOptions.Builder b = LossOptions.builder();
    for (MethodOption<?> o : TransferMethods.allOptions()) {
      OptionSpec spec = command.findOption(o.cliName());
      if (spec == null) {
        throw new IllegalStateException(o.cliName() + " was not installed; call LossOptionsMixin.install");
      }
      if (command.commandLine().getParseResult().hasMatchedOption(spec)) {
        set(b, o, spec);
      }
    }
    return b;
  }

  private static <T> void set(LossOptions.Builder b, MethodOption<T> o, OptionSpec spec) {
    if (o.flagValue() != null) {
      b.set(o, o.flagValue());
      return;
    }
    try {
      b.parse(o, spec.getValue());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(o.cliName() + ": " + e.getMessage());
    }
  }

  /** The registry's method names, for the help of {@code --method} ({@code ${COMPLETION-CANDIDATES}}). */
  static final class MethodNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return TransferMethods.names().iterator();
    }
  }
}
