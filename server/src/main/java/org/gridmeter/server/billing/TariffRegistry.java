package org.gridmeter.server.billing;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.gridmeter.server.usage.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a tariff is set: saved in a transaction of the single writer, then added to the
 * {@link TariffBook} the biller prices with.
 */
public final class TariffRegistry implements TariffCommands {

    private static final Logger log = LoggerFactory.getLogger(TariffRegistry.class);

    private final Transactions transactions;
    private final BillingRepository repository;
    private final TariffBook tariffs;
    private final Clock clock;

    /** @param clock the server's wall clock: when a tariff was created */
    public TariffRegistry(Transactions transactions, BillingRepository repository, TariffBook tariffs, Clock clock) {
        this.transactions = transactions;
        this.repository = repository;
        this.tariffs = tariffs;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Tariff> setTariff(Tariff tariff) {
        return transactions.submit(() -> {
            repository.saveTariff(tariff, clock.millis());
            return tariff;
        }, saved -> {
            tariffs.add(saved);
            log.info("event=tariff_set effective_ms={}", saved.effectiveMillis());
        });
    }
}
