package org.gridmeter.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gridmeter.protocol.DatagramDecoder;
import org.gridmeter.protocol.DecodeResult;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.LegacyDatagramCodec;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode and encode cost per datagram, ns/op. Run:
 * {@code mvn -B -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar CodecBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class CodecBenchmark {

    private static final byte[] KEY = new byte[16];

    private final DatagramDecoder decoder = new DatagramDecoder(id -> KEY, true);
    private final ByteBuffer out = ByteBuffer.allocate(1400);
    private ReadingBatch single;
    private ByteBuffer singleCrc;
    private ByteBuffer singleHmac;
    private ByteBuffer batch50;
    private ByteBuffer legacy;

    @Setup
    public void setUp() {
        long t0 = 1_767_225_600_000L;
        single = new ReadingBatch(7, List.of(new Reading(42, t0, 1_234_567, 850)), Integrity.CRC32C, false);
        singleCrc = ByteBuffer.wrap(V1Codec.encodeReadings(single, null));
        singleHmac = ByteBuffer.wrap(V1Codec.encodeReadings(
                new ReadingBatch(7, single.readings(), Integrity.HMAC, true), KEY));
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            readings.add(new Reading(i, t0 + 5000L * i, 1_000_000 + 1667L * i, 1200));
        }
        batch50 = ByteBuffer.wrap(V1Codec.encodeReadings(new ReadingBatch(7, readings, Integrity.CRC32C, false), null));
        legacy = ByteBuffer.wrap(LegacyDatagramCodec.encode(7, t0 / 1000, 12345.6f));
    }

    @Benchmark
    public DecodeResult<ReadingBatch> decodeSingleCrc() {
        return decoder.decode(singleCrc);
    }

    @Benchmark
    public DecodeResult<ReadingBatch> decodeSingleHmac() {
        return decoder.decode(singleHmac);
    }

    @Benchmark
    public DecodeResult<ReadingBatch> decodeBatchOf50() {
        return decoder.decode(batch50);
    }

    @Benchmark
    public DecodeResult<ReadingBatch> decodeLegacy() {
        return decoder.decode(legacy);
    }

    @Benchmark
    public int encodeSingleCrc() {
        out.clear();
        return V1Codec.encodeReadings(single, null, out);
    }
}
