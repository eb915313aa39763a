using System.Net.Sockets;

namespace Coupons.Server.Tests;

/// <summary>A configuration that cannot work stops the real executable at once, with a message naming the setting and a non-zero exit code, and it never listens.</summary>
public sealed class StartupCheckTests
{
    static async Task<(int ExitCode, string Errors, bool Listened)> RunAsync(string provider, string connectionString, params (string Key, string Value)[] settings)
    {
        var port = ServerProcesses.FreePort();
        using var p = ServerProcesses.StartCapturing(port, provider, connectionString, settings, out var output);
        var listened = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!p.HasExited && !timeout.IsCancellationRequested)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                listened = true;
            }
            catch (SocketException) { }
            await Task.Delay(50);
        }
        if (!p.HasExited)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"still running after 60 s; output:\n{output}");
        }
        await p.WaitForExitAsync();
        return (p.ExitCode, output.ToString(), listened);
    }

    static string Sqlite() => $"Data Source={Path.Combine(Path.GetTempPath(), $"coupons-chk-{Guid.NewGuid():N}.db")}";

    [Fact]
    public async Task An_unknown_provider_stops_start_up_with_exit_code_2()
    {
        var (code, errors, listened) = await RunAsync("mysql", Sqlite());
        Assert.Equal(2, code);
        Assert.Contains("Coupons:Database:Provider must be 'sqlite' or 'postgres', not 'mysql'", errors);
        Assert.False(listened);
    }

    [Theory]
    [InlineData("postgres", "Host=127.0.0.1;Prot=5432;Password=hunter2-secret")]
    [InlineData("postgres", "Host=127.0.0.1;Port=not-a-number")]
    [InlineData("sqlite", "Data Source=x.db;Colour=blue")]
    public async Task A_malformed_connection_string_stops_start_up_without_quoting_it(string provider, string cs)
    {
        var (code, errors, listened) = await RunAsync(provider, cs);
        Assert.Equal(2, code);
        Assert.Contains("Coupons:Database:ConnectionString is malformed", errors);
        Assert.DoesNotContain("hunter2-secret", errors);
        Assert.False(listened);
    }

    [Theory]
    [InlineData("Coupons:Notifications:Sms:Transport", "pigeon", "Sms:Transport must be log or http, not 'pigeon'")]
    [InlineData("Coupons:Notifications:Email:Transport", "fax", "Email:Transport must be log or smtp, not 'fax'")]
    [InlineData("Coupons:Notifications:BatchSize", "lots", "Coupons:Notifications")]
    public async Task Bad_notification_settings_stop_start_up(string key, string value, string message)
    {
        var (code, errors, listened) = await RunAsync("sqlite", Sqlite(), (key, value));
        Assert.Equal(2, code);
        Assert.Contains(message, errors);
        Assert.False(listened);
    }

    [Fact]
    public async Task Several_problems_are_all_named_at_once()
    {
        var (code, errors, _) = await RunAsync("postgres", "", ("Coupons:Notifications:Sms:Transport", "pigeon"));
        Assert.Equal(2, code);
        Assert.Contains("Coupons:Database:ConnectionString is required", errors);
        Assert.Contains("Sms:Transport must be log or http", errors);
    }

    [Fact]
    public async Task A_PostgreSQL_that_does_not_answer_stops_start_up_with_exit_code_3()
    {
        var closed = ServerProcesses.FreePort();
        var (code, errors, listened) = await RunAsync("postgres", $"Host=127.0.0.1;Port={closed};Username=postgres;Password=hunter2-secret;Timeout=3");
        Assert.Equal(3, code);
        Assert.Contains("the database could not be reached or migrated", errors);
        Assert.DoesNotContain("hunter2-secret", errors);
        Assert.False(listened);
    }

    [Fact]
    public async Task An_unknown_log_formatter_stops_start_up()
    {
        var (code, errors, listened) = await RunAsync("sqlite", Sqlite(), ("Logging:Console:FormatterName", "xml"));
        Assert.Equal(2, code);
        Assert.Contains("Logging:Console:FormatterName must be simple, json or systemd, not 'xml'", errors);
        Assert.False(listened);
    }

    [Theory]
    [InlineData("Coupons:Telemetry:OtlpEndpoint", "collector:4317", "Coupons:Telemetry:OtlpEndpoint must be an absolute http(s) URL")]
    [InlineData("Coupons:Telemetry:PrometheusPath", "metrics", "Coupons:Telemetry:PrometheusPath must start with '/'")]
    [InlineData("Coupons:Shutdown:TimeoutSeconds", "0", "Coupons:Shutdown:TimeoutSeconds must be positive")]
    [InlineData("Coupons:Shutdown:DrainSeconds", "soon", "Coupons:Shutdown")]
    public async Task Bad_telemetry_or_shutdown_settings_stop_start_up(string key, string value, string message)
    {
        var (code, errors, listened) = await RunAsync("sqlite", Sqlite(), (key, value));
        Assert.Equal(2, code);
        Assert.Contains(message, errors);
        Assert.False(listened);
    }
}
