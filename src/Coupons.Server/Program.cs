using Coupons.Core;
using Coupons.Server;
using Coupons.Server.Admin;
using Coupons.Server.Auth;
using Coupons.Server.Formats;
using Coupons.Server.Notifications;
using Coupons.Server.OpenApi;
using Coupons.Server.Operations;
using Coupons.Server.V11;
using Coupons.Server.V2;
using Coupons.Server.WebConsole;
using Coupons.Storage;
using Scalar.AspNetCore;

if (args is ["org", "create", ..])
    return await OrgCommand.RunAsync(args[2..]);

// Settings are read once at start-up: watching the content root for appsettings changes put an inotify watcher on
// the whole directory tree, which cost up to a tenth of the CPU under load when the database lives beneath it.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
// Default log levels, below every other setting so that Logging__LogLevel__* and the command line still decide:
// start-up, warnings and errors; no line per request. One request-log line per request (the framework's own request
// log, combined; set Logging__LogLevel__Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware=Information) cost
// 4-21% more server CPU per redeem, issue and isredeemable in scripts/bench (2026-12-02, bench/results); the
// framework's five lines per request at Information cost more still.
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    },
});
if (StartupChecks.Problems(builder.Configuration) is [_, ..] problems)
    return StartupChecks.Refuse(problems);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => StoreFactory.Create(
    builder.Configuration["Coupons:Database:Provider"],
    builder.Configuration["Coupons:Database:ConnectionString"],
    sp.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<Authenticator>();
builder.Services.AddSingleton<TokenService>();
builder.Services.AddTillAuth();
builder.Services.AddSingleton<CodeGuessGuard>();
builder.Services.AddSingleton(sp => NotificationOptions.From(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddHttpClient();
builder.Services.AddSingleton<Transports>();
builder.Services.AddHostedService<Dispatcher>();
builder.Services.ConfigureHttpJsonOptions(o => CouponJson.Apply(o.SerializerOptions));
// A body or parameter that cannot be bound reaches ErrorHandler as an exception, which names the field and the reason.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddCouponsOpenApi();
builder.Services.AddConsole();
builder.Services.AddOperationsHealth();
builder.Services.AddOperationsLogging();
builder.Services.AddOperationsTelemetry(builder.Configuration);
builder.Services.AddOperationsShutdown(builder.Configuration);
// The largest coupon request (100 items with their custom fields) is well under 1 MB; a larger limit would only let
// a client make the server buffer more. Code uploads raise it for their own endpoint (SeriesApi.MaxUploadBytes).
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);

var app = builder.Build();

try
{
    await app.Services.GetRequiredService<ICouponStore>().MigrateAsync();
    await Bootstrap.RunAsync(app.Services.GetRequiredService<ICouponStore>(), app.Configuration, app.Logger);
}
catch (Exception e) when (e is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException)
{
    return StartupChecks.Refuse([$"the database could not be reached or migrated: {e.Message}"], StartupChecks.DatabaseUnavailable);
}

app.UseHttpLogging();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandler = ErrorHandler.WriteAsync,
    StatusCodeSelector = ErrorHandler.StatusFor,
    SuppressDiagnosticsCallback = ErrorHandler.IsClientError,
});
app.UseStatusCodePages(ErrorHandler.WriteStatusAsync);
// Sign-in, roles, then the per-till limit: what they refuse (401, 403, 429) never claims an Idempotency-Key.
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
// After sign-in: credentials are checked before anything of the body is looked at.
app.Use(RequestCharset.RefuseUnknownAsync);
app.UseMiddleware<Idempotency>();

app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.MapOperationsHealth();
app.MapOperationsTelemetry();

app.MapOAuth();
app.MapOrganisation();
app.MapStores();
app.MapCustomers();
app.MapSeriesAdmin();
app.MapSeriesLifecycle();
app.MapCouponAdmin();
app.MapOutboxAdmin();
app.MapWebhooks();
app.MapV11();
app.MapCouponsV2();
app.MapSeriesStats();
app.MapExports();
app.MapConsole();

app.Run();
return 0;

public partial class Program;
