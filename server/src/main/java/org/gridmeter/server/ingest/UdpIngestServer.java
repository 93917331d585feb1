package org.gridmeter.server.ingest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Refusal;
import org.gridmeter.server.net.Transport;
import org.gridmeter.protocol.V1Codec;
import org.gridmeter.protocol.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side: binds the meters' port on one event loop, passes datagrams to the
 * {@link IngestPipeline}, and sends ACKs back on the same socket.
 */
public final class UdpIngestServer implements AckSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UdpIngestServer.class);
    /** Asked of the kernel; it grants at most twice net.core.rmem_max. */
    private static final int RECEIVE_BUFFER = 8 << 20;
    /** Datagrams read per system call with epoll's recvmmsg. */
    private static final int DATAGRAMS_PER_READ = 64;

    private final Transport transport;
    private final EventLoopGroup group;
    private Channel channel;

    private volatile org.gridmeter.server.cluster.Envelope envelope;

    public UdpIngestServer(Transport transport) {
        this.transport = transport;
        this.group = transport.group(1, "gridmeter-udp");
    }

    /** Binds and starts receiving; returns the bound address (port 0 picks a free one). */
    public InetSocketAddress start(String bind, int port, IngestPipeline pipeline,
            java.util.function.Consumer<AckSink> acksTo)
            throws InterruptedException {
        int slot = Wire.MAX_DATAGRAM_SIZE + 100; // room to see (and reject) slightly oversized datagrams
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(
                        transport == Transport.EPOLL ? slot * DATAGRAMS_PER_READ : 64 * 1024))
                .handler(new DatagramHandler(pipeline));
        if (transport == Transport.EPOLL) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot);
        }
        channel = bootstrap.bind(bind, port).sync().channel();
        acksTo.accept(this); // the writer sends ACKs through this channel from now on
        Object granted = channel.config().getOption(ChannelOption.SO_RCVBUF);
        log.info("event=udp_bound address={} transport={} receive_buffer_bytes={}", channel.localAddress(),
                transport, granted);
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void send(Ack ack, byte[] key, InetSocketAddress to) {
        send(to, out -> V1Codec.encodeAck(ack, key, out));
    }

    @Override
    public void send(Refusal refusal, byte[] key, InetSocketAddress to) {
        send(to, out -> V1Codec.encodeRefusal(refusal, key, out));
    }

    @Override
    public void send(Ack ack, byte[] key, InetSocketAddress to, InetSocketAddress via) {
        send(to, via, out -> V1Codec.encodeAck(ack, key, out));
    }

    @Override
    public void send(Refusal refusal, byte[] key, InetSocketAddress to, InetSocketAddress via) {
        send(to, via, out -> V1Codec.encodeRefusal(refusal, key, out));
    }

    /** Cluster: replies to meters that sent through another node go back through it, sealed with this. */
    public void relayWith(org.gridmeter.server.cluster.Envelope sealer) {
        this.envelope = sealer;
    }

    private void send(InetSocketAddress to, InetSocketAddress via,
            java.util.function.ToIntFunction<java.nio.ByteBuffer> encoder) {
        if (via == null) {
            send(to, encoder);
            return;
        }
        java.nio.ByteBuffer reply = java.nio.ByteBuffer.allocate(V1Codec.MAX_REPLY_SIZE);
        reply.limit(encoder.applyAsInt(reply.duplicate()));
        sendRaw(envelope.seal(org.gridmeter.server.cluster.Envelope.REPLY, to, reply), via);
    }

    /** Sends {@code datagram} as it is (a node-to-node envelope, or a reply passed on to a meter). */
    public void sendRaw(byte[] datagram, InetSocketAddress to) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(new DatagramPacket(io.netty.buffer.Unpooled.wrappedBuffer(datagram), to), ch.voidPromise());
        }
    }

    private void send(InetSocketAddress to, java.util.function.ToIntFunction<java.nio.ByteBuffer> encoder) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        ByteBuf buf = ch.alloc().buffer(V1Codec.MAX_REPLY_SIZE);
        buf.writerIndex(encoder.applyAsInt(buf.nioBuffer(0, buf.capacity())));
        ch.writeAndFlush(new DatagramPacket(buf, to), ch.voidPromise());
    }

    /** Stops receiving. Idempotent. */
    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
