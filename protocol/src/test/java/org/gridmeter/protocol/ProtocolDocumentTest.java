package org.gridmeter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridmeter.protocol.Datagrams.wrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps PROTOCOL.md true: its Python example and its hex dumps must agree with the Java codec. */
class ProtocolDocumentTest {

    private static final Path DOCUMENT = Path.of("PROTOCOL.md");
    private static final Reading READING = new Reading(42, 1_767_225_600_000L, 1_234_567, 850);

    @Test
    void pythonExampleBuildsDatagramsTheJavaCodecDecodes(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("meter.py");
        Files.writeString(script, codeBlock(read(), "python"));

        Process python = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true).start();
        assertThat(python.waitFor(30, TimeUnit.SECONDS)).as("python3 finished").isTrue();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.exitValue()).as("python3 exit status; output:%n%s", output).isZero();

        List<String> lines = output.lines().toList();
        assertThat(lines).hasSize(4);
        ReadingBatch plain = V1Codec.decodeReadings(wrap(Datagrams.hex(lines.get(0))), KeyLookup.NONE).orElseThrow();
        ReadingBatch signed = V1Codec.decodeReadings(wrap(Datagrams.hex(lines.get(1))), Datagrams.KEYS).orElseThrow();
        assertThat(plain).isEqualTo(new ReadingBatch(7, List.of(READING), Integrity.CRC32C, false));
        assertThat(signed).isEqualTo(new ReadingBatch(7, List.of(READING), Integrity.HMAC, true));
        assertThat(lines.get(2)).as("the Python meter reads the Java ACK").isEqualTo(pythonReply("ack", ACK_RANGES));
        assertThat(lines.get(3)).isEqualTo(pythonReply("refused:conflict", REFUSAL.ranges()));
    }

    private static final List<SequenceRange> ACK_RANGES = List.of(new SequenceRange(20, 20), new SequenceRange(25, 25),
            new SequenceRange(30, 30));
    private static final Refusal REFUSAL = new Refusal(7, RefusalReason.CONFLICT, List.of(new SequenceRange(41, 41)));

    /** How Python prints {@code (kind, 7, [(first, last), ...])}. */
    private static String pythonReply(String kind, List<SequenceRange> ranges) {
        StringBuilder text = new StringBuilder("('" + kind + "', 7, [");
        for (int i = 0; i < ranges.size(); i++) {
            text.append(i > 0 ? ", " : "").append('(').append(ranges.get(i).first()).append(", ")
                    .append(ranges.get(i).last()).append(')');
        }
        return text.append("])").toString();
    }

    @Test
    void everyHexDumpIsWhatTheCodecWrites() throws IOException {
        Map<String, byte[]> dumps = dumps(read());
        long t0 = 1_767_225_600_000L;

        assertThat(dumps).containsOnlyKeys("v1-crc", "v1-hmac", "v1-batch", "ack", "ack-ranges", "refusal", "legacy");
        assertThat(dumps.get("v1-crc")).isEqualTo(V1Codec.encodeReadings(
                new ReadingBatch(7, List.of(READING), Integrity.CRC32C, false), null));
        assertThat(dumps.get("v1-hmac")).isEqualTo(V1Codec.encodeReadings(
                new ReadingBatch(7, List.of(READING), Integrity.HMAC, true), Datagrams.KEY));
        assertThat(dumps.get("v1-batch")).isEqualTo(V1Codec.encodeReadings(new ReadingBatch(7, List.of(
                new Reading(0, t0, 1_000_000, 1200),
                new Reading(1, t0 + 5000, 1_001_667, 1200),
                new Reading(2, t0 + 10_000, 1_003_334, 1200)), Integrity.CRC32C, false), null));
        assertThat(dumps.get("ack")).isEqualTo(V1Codec.encodeAck(new Ack(7, 40, 42), null));
        assertThat(dumps.get("ack-ranges")).isEqualTo(V1Codec.encodeAck(new Ack(7, ACK_RANGES), null));
        assertThat(dumps.get("refusal")).isEqualTo(V1Codec.encodeRefusal(REFUSAL, null));
        assertThat(dumps.get("legacy")).isEqualTo(LegacyDatagramCodec.encode(1, 1_679_320_800L, 12345.6f));
        assertThat(LegacyDatagramCodec.decode(wrap(dumps.get("legacy"))).orElseThrow().readings().get(0).energyMwh())
                .isEqualTo(1_234_560);
    }

    @Test
    void documentsEveryRejectReason() throws IOException {
        String doc = read();
        for (RejectReason reason : RejectReason.values()) {
            assertThat(doc).contains("| `" + reason.label() + "` |");
        }
    }

    private static String read() throws IOException {
        return Files.readString(DOCUMENT, StandardCharsets.UTF_8);
    }

    private static String codeBlock(String doc, String language) {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).as("a ```%s block in %s", language, DOCUMENT).isTrue();
        return m.group(1);
    }

    /** Each {@code <!-- dump: NAME -->} marker and the bytes of the text block that follows it. */
    private static Map<String, byte[]> dumps(String doc) {
        Map<String, byte[]> dumps = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<!-- dump: ([\\w-]+) -->.*?```text\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            StringBuilder hex = new StringBuilder();
            for (String line : m.group(2).split("\n")) {
                hex.append(line.substring(Math.min(line.length(), 6))); // drop the "0010  " offset column
            }
            dumps.put(m.group(1), Datagrams.hex(hex.toString()));
        }
        return dumps;
    }
}
