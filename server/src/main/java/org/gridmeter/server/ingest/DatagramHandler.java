package org.gridmeter.server.ingest;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands each datagram's bytes to the {@link IngestPipeline}; nothing else. Stateless, so shared. */
@Sharable
final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(DatagramHandler.class);

    private final IngestPipeline pipeline;

    DatagramHandler(IngestPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        var content = packet.content();
        pipeline.onDatagram(content.nioBuffer(content.readerIndex(), content.readableBytes()), packet.sender());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket error (e.g. ICMP port unreachable after an ACK) must never close ingest.
        log.warn("event=udp_error detail=\"{}\"", cause.toString());
    }
}
