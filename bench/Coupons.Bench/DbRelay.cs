using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Coupons.Bench;

/// <summary>
/// --db-latency: a TCP relay, in the bench's process, between a PostgreSQL client (the server under test, or the raw
/// runs' connections) and PostgreSQL. It holds each direction's bytes for a fixed time, as a database across a network
/// would, and counts round trips.
///
/// A round trip, per connection: each time the client starts sending after PostgreSQL has sent something (a
/// connection's first bytes count too). However many TCP reads a burst takes and however many statements a batch
/// pipelines, one request followed by its answer is one round trip; a client that waits for an answer before it sends
/// again pays the delay twice for each one. It is counted when the client's first bytes reach the relay.
///
/// Each connection has its own two pumps (reader → <see cref="DelayLine"/> → <see cref="Outlet"/>), so connections
/// never wait on each other's sockets, and a chunk goes out when its delay is over. Delay 0 relays straight through and
/// only counts.
/// </summary>
sealed class DbRelay : IAsyncDisposable
{
    readonly Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    readonly string host;
    readonly int port;
    readonly DelayLine? line;
    readonly CancellationTokenSource stop = new();
    readonly Task accepting;
    long roundTrips, connections;

    public TimeSpan Delay { get; }
    public int Port { get; }
    public long RoundTrips => Interlocked.Read(ref roundTrips);
    public long Connections => Interlocked.Read(ref connections);

    /// <summary>How late each chunk went out (due → sent, or found the socket full and waited for a writer).</summary>
    public Lateness Sent { get; } = new();
    public Lateness? Released => line?.Released;
    public double TimerCpuSeconds => line?.CpuSeconds() ?? 0;

    /// <summary>A relay to the database <paramref name="connectionString"/> names, on a free port of 127.0.0.1.</summary>
    public DbRelay(string connectionString, TimeSpan delay)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        host = target.Host ?? "127.0.0.1";
        port = target.Port;
        Delay = delay;
        line = delay > TimeSpan.Zero ? new DelayLine(delay) : null;
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        accepting = AcceptAsync();
    }

    /// <summary>The same connection string, through this relay.</summary>
    public string Route(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ToString();

    async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    /// <summary>Per connection: 1 when PostgreSQL has sent since the client last did, so the client's next bytes start a round trip.</summary>
    sealed class Turn
    {
        public int ServerSpoke = 1;
    }

    async Task RelayAsync(Socket client)
    {
        Interlocked.Increment(ref connections);
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(host, port, stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return;
            }
            var turn = new Turn();
            void Close()
            {
                client.Close();
                server.Close();
            }
            await Task.WhenAll(PumpAsync(client, server, turn, toServer: true, Close), PumpAsync(server, client, turn, toServer: false, Close));
        }
    }

    async Task PumpAsync(Socket from, Socket to, Turn turn, bool toServer, Action close)
    {
        var outlet = line is null ? null : new Outlet(to, close, Sent, stop.Token);
        var buffer = line is null ? new byte[64 * 1024] : null;
        try
        {
            while (true)
            {
                var chunk = buffer ?? ArrayPool<byte>.Shared.Rent(64 * 1024);
                var n = await from.ReceiveAsync(chunk, SocketFlags.None, stop.Token);
                if (n == 0)
                {
                    if (buffer is null) ArrayPool<byte>.Shared.Return(chunk);
                    break;
                }
                if (!toServer) Volatile.Write(ref turn.ServerSpoke, 1);
                else if (Interlocked.Exchange(ref turn.ServerSpoke, 0) == 1) Interlocked.Increment(ref roundTrips);
                if (outlet is null) await to.SendAsync(chunk.AsMemory(0, n), SocketFlags.None, stop.Token);
                else line!.Enqueue(chunk, n, outlet.Release);
            }
            if (outlet is null) to.Shutdown(SocketShutdown.Send);
            else line!.Enqueue(null, 0, outlet.Release);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            close();
        }
    }

    /// <summary>
    /// Where one direction's due chunks go out: sent at once by the timer's thread (the socket is non-blocking), unless
    /// the socket's buffer is full or earlier chunks still wait; then a task of this direction alone sends them in
    /// order. So the common case costs no hop to the thread pool, and a peer that reads slowly holds up only its own
    /// connection.
    /// </summary>
    sealed class Outlet
    {
        readonly Socket to;
        readonly Action close;
        readonly Lateness sent;
        readonly CancellationToken stop;
        readonly Queue<DelayLine.Chunk> waiting = new();
        bool draining;

        public Outlet(Socket to, Action close, Lateness sent, CancellationToken stop)
        {
            (this.to, this.close, this.sent, this.stop) = (to, close, sent, stop);
            to.Blocking = false;
            Release = ReleaseChunk;
        }

        /// <summary>The same delegate for every chunk of the direction (no allocation per chunk).</summary>
        public Action<DelayLine.Chunk> Release { get; }

        void ReleaseChunk(DelayLine.Chunk c)
        {
            lock (waiting)
            {
                if (!draining)
                {
                    sent.Add(Stopwatch.GetTimestamp() - c.Due);
                    if (TrySendNow(ref c)) return;
                    draining = true;
                    _ = DrainAsync();
                }
                waiting.Enqueue(c);
            }
        }

        /// <summary>True when the chunk is gone (sent, or its connection is closed); otherwise <paramref name="c"/> is what is left of it.</summary>
        bool TrySendNow(ref DelayLine.Chunk c)
        {
            try
            {
                if (c.Bytes is null)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return true;
                }
                var n = to.Send(c.Bytes.AsSpan(c.Offset, c.Length), SocketFlags.None, out var error);
                if (error is not (SocketError.Success or SocketError.WouldBlock)) throw new SocketException((int)error);
                if (n == c.Length)
                {
                    ArrayPool<byte>.Shared.Return(c.Bytes);
                    return true;
                }
                c = c with { Offset = c.Offset + n, Length = c.Length - n };
                return false;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                close();
                return true;
            }
        }

        async Task DrainAsync()
        {
            await Task.Yield();
            while (true)
            {
                DelayLine.Chunk c;
                lock (waiting)
                {
                    if (!waiting.TryDequeue(out c))
                    {
                        draining = false;
                        return;
                    }
                }
                try
                {
                    if (c.Bytes is null) to.Shutdown(SocketShutdown.Send);
                    else
                    {
                        await to.SendAsync(c.Bytes.AsMemory(c.Offset, c.Length), SocketFlags.None, stop);
                        ArrayPool<byte>.Shared.Return(c.Bytes);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    close();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Dispose();
        await accepting;
        line?.Dispose();
    }
}

/// <summary>What the two relays of a run saw, for the console and the report.</summary>
sealed record RelayFigures(DbRelay Server, DbRelay Raw, double IdleBefore, double IdleAfter)
{
    public IEnumerable<string> Lines()
    {
        yield return $"Database {Server.Delay.TotalMilliseconds} ms away each way: the server and the raw runs each reach PostgreSQL through their own relay in the bench's process (so the relay's CPU is the bench's, not the server's), both delayed alike.";
        yield return $"Round trips per request: the relay's count over the whole run (warm-up and the last answers included) ÷ requests sent in it; a round trip is each time a connection's client starts sending after PostgreSQL has sent. Both pools are full before the first run, so no connection is opened inside one. The server runs with its notification dispatcher off (the outbox only fills): its round trips are in no request's path, and it would count the backlog of one operation's writes in the next one's figures. Round trips of the server with no requests: {IdleBefore:F1} a second before the runs, {IdleAfter:F1} after them.";
        foreach (var (name, r) in new[] { ("server", Server), ("raw", Raw) })
            yield return $"Relay of the {name}: {r.Connections:N0} connections, {r.RoundTrips:N0} round trips; lateness past the delay when sent: {r.Sent}; of the timer alone: {r.Released?.ToString() ?? "no delay"}; timer thread CPU {r.TimerCpuSeconds:F2} s.";
    }
}
