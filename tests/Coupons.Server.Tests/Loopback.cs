using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Coupons.Server.Tests;

/// <summary>One HTTP request as the loopback server received it.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel) standing in for the SMS gateway and webhook receivers: it records every
/// request and answers 200, or 500 while <see cref="FailFor"/> says so for the request's SMS recipient or path.
/// </summary>
public sealed class LoopbackHttp : IAsyncDisposable
{
    readonly WebApplication app;
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();
    /// <summary>Recipient ("to" of an SMS) or path → how many more requests to refuse with 500 (int.MaxValue: all).</summary>
    public ConcurrentDictionary<string, int> FailFor { get; } = new();
    public string BaseUrl { get; }

    LoopbackHttp(WebApplication app, string baseUrl) => (this.app, BaseUrl) = (app, baseUrl);

    public static async Task<LoopbackHttp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        var app = builder.Build();
        LoopbackHttp? self = null;
        app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var received = new ReceivedRequest(http.Request.Path, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
            self!.Received.Enqueue(received);
            http.Response.StatusCode = self.ShouldFail(received) ? 500 : 200;
            await http.Response.WriteAsync(http.Response.StatusCode == 500 ? "gateway down" : "ok");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new LoopbackHttp(app, address.TrimEnd('/'));
        return self;
    }

    bool ShouldFail(ReceivedRequest r)
    {
        var key = r.Path.StartsWith("/sms") ? r.Json["to"]?.GetValue<string>() ?? "" : r.Path;
        while (FailFor.TryGetValue(key, out var left) && left > 0)
            if (FailFor.TryUpdate(key, left == int.MaxValue ? left : left - 1, left)) return true;
        return false;
    }

    /// <summary>SMS the gateway received for one number, in order.</summary>
    public List<ReceivedRequest> SmsTo(string mobile) =>
        Received.Where(r => r.Path == "/sms" && r.Json["to"]?.GetValue<string>() == mobile).ToList();

    public List<ReceivedRequest> At(string path) => Received.Where(r => r.Path == path).ToList();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

/// <summary>A real SMTP listener on 127.0.0.1: speaks enough SMTP for MailKit to hand it a message, and keeps each message.</summary>
public sealed class LoopbackSmtp : IDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();
    public int Port { get; }

    public LoopbackSmtp()
    {
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public List<MimeMessage> To(string address) =>
        Messages.Where(m => m.To.Mailboxes.Any(b => b.Address.Equals(address, StringComparison.OrdinalIgnoreCase))).ToList();

    async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 loopback ESMTP test");
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 loopback");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } l && l != ".")
                        data.Append(l.StartsWith("..") ? l[1..] : l).Append("\r\n");
                    Messages.Enqueue(MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(data.ToString()))));
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 ok");
                    break;
            }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
    }
}
