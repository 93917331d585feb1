package org.gridmeter.server.alerts;

import java.math.BigDecimal;

/**
 * What an alert says in words, in Brazilian Portuguese (the API's language) or English: its window
 * and its explanation, with the value, the baseline and the limit it names.
 */
public final class AlertTexts {

    private AlertTexts() {
    }

    /** The window the alert compared. */
    public static String window(Alert a, boolean english) {
        String w = a.window();
        if (w.startsWith("ciclo_vs_media:")) {
            String n = w.substring("ciclo_vs_media:".length());
            return english ? "the open billing cycle vs the mean of " + n + " closed invoice(s)"
                    : "o ciclo aberto comparado com a média de " + n + " fatura(s) fechada(s)";
        }
        return switch (w) {
            case "15min" -> english ? "the 15 minutes up to the latest reading" : "os 15 minutos até a leitura mais recente";
            case "ciclo_vs_anterior" -> english ? "the open billing cycle vs the last closed invoice"
                    : "o ciclo aberto comparado com a última fatura fechada";
            case "5min_vs_hora" -> english ? "the last 5 minutes vs the hour before"
                    : "os últimos 5 minutos comparados com a hora anterior";
            case "sem_sinal" -> english ? "the time since the meter was last heard"
                    : "o tempo desde que o medidor foi ouvido pela última vez";
            default -> w;
        };
    }

    /** The alert's explanation: the rule, with its value, baseline and limit. */
    public static String message(Alert a, boolean english) {
        String v = number(a.value(), english);
        String l = number(a.limit(), english);
        String b = a.baseline() == null ? null : number(a.baseline(), english);
        return switch (a.rule()) {
            case "ciclo_acima_da_media" -> b == null
                    ? (english ? "Consumption of the open cycle, " + v + " kWh, is above the mean of the last invoices "
                            + "by more than its margin (limit " + l + " kWh)."
                            : "O consumo do ciclo aberto, " + v + " kWh, passa da média das últimas faturas além da "
                            + "margem (limite " + l + " kWh).")
                    : english
                    ? "Consumption of the open cycle, " + v + " kWh, is above " + l + " kWh: the mean of the last "
                            + "invoices, " + b + " kWh, plus " + number(a.limit().subtract(a.baseline()), true) + " kWh."
                    : "O consumo do ciclo aberto, " + v + " kWh, passa de " + l + " kWh: a média das últimas faturas, "
                            + b + " kWh, mais " + number(a.limit().subtract(a.baseline()), false) + " kWh.";
            case "ciclo_acima_do_anterior" -> b == null
                    ? (english ? "Consumption of the open cycle, " + v + " kWh, is above the last invoice by more than "
                            + "its margin (limit " + l + " kWh)."
                            : "O consumo do ciclo aberto, " + v + " kWh, passa da última fatura além da margem (limite "
                            + l + " kWh).")
                    : english
                    ? "Consumption of the open cycle, " + v + " kWh, is above " + l + " kWh: the last invoice, " + b
                            + " kWh, plus " + number(a.limit().subtract(a.baseline()), true) + " kWh."
                    : "O consumo do ciclo aberto, " + v + " kWh, passa de " + l + " kWh: a última fatura, " + b
                            + " kWh, mais " + number(a.limit().subtract(a.baseline()), false) + " kWh.";
            case "potencia_15min" -> english
                    ? "Average power over the last 15 minutes, " + v + " kW, is above the limit of " + l + " kW."
                    : "A potência média dos últimos 15 minutos, " + v + " kW, passa do limite de " + l + " kW.";
            case "potencia_5min_vs_hora" -> english
                    ? "Average power over the last 5 minutes, " + v + " kW, differs from the hour before, " + b
                            + " kW, by more than 100% and 1 kW (limit " + l + " kW)."
                    : "A potência média dos últimos 5 minutos, " + v + " kW, difere da hora anterior, " + b
                            + " kW, em mais de 100% e de 1 kW (limite " + l + " kW).";
            case "sem_sinal" -> {
                boolean fromUsual = b != null && a.limit().compareTo(a.baseline().multiply(BigDecimal.valueOf(3))) == 0;
                yield english
                        ? "The meter has not been heard for " + v + " s (limit " + l + " s"
                                + (fromUsual ? ": 3 times its usual interval of " + b + " s" : "") + ")."
                        : "O medidor não é ouvido há " + v + " s (limite " + l + " s"
                                + (fromUsual ? ": 3 vezes o seu intervalo habitual de " + b + " s" : "") + ").";
            }
            default -> a.rule();
        };
    }

    /** "No excesso alert is active", in words. */
    public static String none(AlertType type, boolean english) {
        return english ? "No " + type.label() + " alert is active." : "Nenhum alerta de " + type.label() + " ativo.";
    }

    /** A number as people write it: {@code 0.512} in English, {@code 0,512} in Portuguese, no trailing zeros. */
    static String number(BigDecimal n, boolean english) {
        String plain = n.stripTrailingZeros().toPlainString();
        return english ? plain : plain.replace('.', ',');
    }
}
