namespace Coupons.Server.Operations;

/// <summary>
/// SIGTERM (or Ctrl+C): /health/ready answers 503 at once (<see cref="StoppingHealthCheck"/>); for
/// <c>Coupons:Shutdown:DrainSeconds</c> the node still serves, so that a load balancer polling readiness stops sending
/// to it before it stops listening; then it takes no new connection, finishes the requests in flight (a request
/// waiting for its batch is answered once that batch has committed), stops the dispatcher (which hands back the
/// deliveries it claimed and had not settled) and exits; whatever is still running after
/// <c>Coupons:Shutdown:TimeoutSeconds</c> is cut off.
/// </summary>
public static class Shutdown
{
    public sealed record Options(TimeSpan Drain, TimeSpan Timeout)
    {
        public static Options From(IConfiguration config) => new(
            TimeSpan.FromSeconds(config.GetValue("Coupons:Shutdown:DrainSeconds", 0.0)),
            TimeSpan.FromSeconds(config.GetValue("Coupons:Shutdown:TimeoutSeconds", 30.0)));
    }

    public static IEnumerable<string> Problems(IConfiguration config)
    {
        string? problem;
        try
        {
            var o = Options.From(config);
            problem = o.Drain < TimeSpan.Zero ? "Coupons:Shutdown:DrainSeconds must not be negative"
                : o.Timeout <= TimeSpan.Zero ? "Coupons:Shutdown:TimeoutSeconds must be positive"
                : null;
        }
        catch (InvalidOperationException e)
        {
            problem = $"Coupons:Shutdown: {e.Message}";
        }
        if (problem is not null) yield return problem;
    }

    public static void AddOperationsShutdown(this IServiceCollection services, IConfiguration config)
    {
        var options = Options.From(config);
        services.Configure<HostOptions>(h => h.ShutdownTimeout = options.Timeout + options.Drain);
        services.AddHostedService(sp => new Drain(options, sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<Drain>>()));
    }

    /// <summary>Holds the stop for the drain time: the framework runs ApplicationStopping's callbacks before it stops the server.</summary>
    sealed class Drain(Options options, IHostApplicationLifetime lifetime, ILogger<Drain> log) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            lifetime.ApplicationStopping.Register(() =>
            {
                log.LogInformation("Stopping: not ready; serving for {Drain} s more, then finishing requests in flight (at most {Timeout} s)",
                    options.Drain.TotalSeconds, options.Timeout.TotalSeconds);
                if (options.Drain > TimeSpan.Zero) Thread.Sleep(options.Drain);
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
