package org.gridmeter.server;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies each flag's value from its environment variable {@code GRIDMETER_<NAME>} ({@code --udp-port}
 * -> {@code GRIDMETER_UDP_PORT}) when set, so precedence is flag > environment > built-in default.
 */
final class EnvDefaults implements IDefaultValueProvider {

    private final Map<String, String> env;

    EnvDefaults(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The variable that configures {@code --long-name}. */
    static String variableFor(String longName) {
        return "GRIDMETER_" + longName.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option && !option.usageHelp() && !option.versionHelp()) {
            String value = env.get(variableFor(option.longestName()));
            return value == null || value.isBlank() ? null : value.trim();
        }
        return null;
    }
}
