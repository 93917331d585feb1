package org.gridmeter.meter;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies flag values from the meter's environment variables (the container case), so precedence
 * is flag > environment > built-in default. {@code --server} combines {@code SERVER_HOST} and
 * {@code SERVER_PORT}, either of which may be set alone.
 */
final class MeterEnvDefaults implements IDefaultValueProvider {

    static final Map<String, String> VARIABLES = Map.of(
            "--id", "METER_ID",
            "--ids", "METER_IDS",
            "--interval", "METER_INTERVAL",
            "--live-interval", "METER_LIVE_INTERVAL",
            "--profile", "METER_PROFILE",
            "--seed", "METER_SEED",
            "--start", "METER_START",
            "--speed", "METER_SPEED",
            "--legacy", "METER_LEGACY",
            "--key", "METER_KEY");

    private final Map<String, String> env;

    MeterEnvDefaults(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        if (option.longestName().equals("--server")) {
            String host = get("SERVER_HOST");
            String port = get("SERVER_PORT");
            if (host == null && port == null) {
                return null;
            }
            return MeterCommand.hostPort(host == null ? MeterCommand.DEFAULT_HOST : host,
                    port == null ? Integer.toString(MeterCommand.DEFAULT_PORT) : port);
        }
        String variable = VARIABLES.get(option.longestName());
        return variable == null ? null : get(variable);
    }

    private String get(String variable) {
        String value = env.get(variable);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
