package org.gridmeter.server.billing;

import java.util.concurrent.CompletableFuture;

/** Changes to the tariff, carried out by the single writer; completed once committed. Any thread. */
public interface TariffCommands {

    CompletableFuture<Tariff> setTariff(Tariff tariff);
}
