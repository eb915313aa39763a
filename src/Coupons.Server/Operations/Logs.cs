using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Coupons.Server.Operations;

/// <summary>
/// Console logs: the framework's simple formatter by default, its JSON formatter with
/// <c>Logging:Console:FormatterName=json</c> (one JSON object a line, UTC timestamps, and the scopes, which carry each
/// request's TraceId and SpanId, so that a line can be followed into its trace). The request log (HttpLogging, off
/// unless its level is Information) logs method, path, status and duration only: never headers (Authorization) nor the
/// query string (codes, customer identifiers), nor bodies.
/// </summary>
public static class Logs
{
    public static void AddOperationsLogging(this IServiceCollection services)
    {
        // Inserted before the framework's binding of Logging:Console:FormatterOptions, so that configuration still decides.
        services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<JsonConsoleFormatterOptions>>(new ConfigureOptions<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        })));
        services.AddHttpLogging(o =>
        {
            o.LoggingFields = Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.RequestMethod | Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.RequestPath |
                Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.ResponseStatusCode | Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
    }

    /// <summary>The console formatters the framework has; any other name would silently fall back to the simple one.</summary>
    public static string? Problem(IConfiguration config) =>
        config["Logging:Console:FormatterName"] is { Length: > 0 } name && name.ToLowerInvariant() is not ("simple" or "json" or "systemd")
            ? $"Logging:Console:FormatterName must be simple, json or systemd, not '{name}'"
            : null;
}
