package org.gridmeter.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.gridmeter.server.net.Transport;

/**
 * The bare Netty hello-world the HTTP figures are compared with: the same transport, codec and
 * aggregator as the server, answering a fixed ~200-byte JSON, with no router and no work.
 * {@code java -cp bench/target/benchmarks.jar org.gridmeter.bench.HelloServer PORT}
 */
public final class HelloServer {

    private static final byte[] BODY = ("{\"id\":1,\"nome\":\"ana\",\"endereco\":\"rua a, 1\",\"consumo_total_kwh\":"
            + "12.345678,\"ultima_leitura\":null,\"consumo_excessivo\":false,\"grande_variacao\":false,"
            + "\"online\":true}").getBytes(StandardCharsets.UTF_8);

    private HelloServer() {
    }

    @Sharable
    static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ByteBuf body = Unpooled.wrappedBuffer(BODY);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
                    .set(HttpHeaderNames.CONNECTION, HttpUtil.isKeepAlive(request) ? HttpHeaderValues.KEEP_ALIVE
                            : HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 15999;
        Transport transport = Transport.best();
        EventLoopGroup boss = transport.group(1, "hello-accept");
        EventLoopGroup workers = transport.group(Runtime.getRuntime().availableProcessors(), "hello");
        Hello hello = new Hello();
        Channel ch = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), hello);
                    }
                }).bind("127.0.0.1", port).sync().channel();
        System.out.println("hello server on " + ch.localAddress());
        ch.closeFuture().sync();
    }
}
