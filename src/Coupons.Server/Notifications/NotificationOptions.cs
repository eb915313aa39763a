namespace Coupons.Server.Notifications;

/// <summary>
/// <c>Coupons:Notifications:*</c>, read and checked once at start-up: a transport name or setting that cannot work
/// stops the service instead of failing every message later. The defaults need nothing installed: messages go to the log.
/// </summary>
public sealed record NotificationOptions
{
    public bool Enabled { get; init; } = true;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    public int BatchSize { get; init; } = 50;
    public int MaxAttempts { get; init; } = 8;
    /// <summary>The first retry waits this long; each later one twice the one before, up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromHours(1);
    /// <summary>How long one attempt may take; the lease a node holds on a message is twice this.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The log channel also appends each message as a JSON line to this file, when set.</summary>
    public string? LogFile { get; init; }

    /// <summary>log or http.</summary>
    public string SmsTransport { get; init; } = "log";
    public string? SmsUrl { get; init; }
    /// <summary>JSON sent to the gateway; {{to}}, {{text}} and {{id}} are replaced by JSON-escaped values.</summary>
    public string SmsBodyTemplate { get; init; } = """{"to":"{{to}}","text":"{{text}}","reference":"{{id}}"}""";
    public string? SmsAuthHeader { get; init; }
    public string? SmsAuthValue { get; init; }

    /// <summary>log or smtp.</summary>
    public string EmailTransport { get; init; } = "log";
    public string EmailFrom { get; init; } = "coupons@localhost";
    public string SmtpHost { get; init; } = "localhost";
    public int SmtpPort { get; init; } = 25;
    /// <summary>None, StartTls, StartTlsWhenAvailable, SslOnConnect or Auto (MailKit's SecureSocketOptions).</summary>
    public string SmtpSecurity { get; init; } = "StartTlsWhenAvailable";
    public string? SmtpUser { get; init; }
    public string? SmtpPassword { get; init; }

    public TimeSpan Lease => SendTimeout * 2;

    public static NotificationOptions From(IConfiguration config)
    {
        var n = config.GetSection("Coupons:Notifications");
        var d = new NotificationOptions();
        var o = new NotificationOptions
        {
            Enabled = n.GetValue("Enabled", d.Enabled),
            PollInterval = Millis(n, "PollIntervalMs", d.PollInterval),
            BatchSize = n.GetValue("BatchSize", d.BatchSize),
            MaxAttempts = n.GetValue("MaxAttempts", d.MaxAttempts),
            BackoffBase = Millis(n, "BackoffBaseMs", d.BackoffBase),
            BackoffMax = Millis(n, "BackoffMaxMs", d.BackoffMax),
            SendTimeout = Millis(n, "SendTimeoutMs", d.SendTimeout),
            LogFile = Blank(n["LogFile"]),
            SmsTransport = (Blank(n["Sms:Transport"]) ?? d.SmsTransport).ToLowerInvariant(),
            SmsUrl = Blank(n["Sms:Url"]),
            SmsBodyTemplate = Blank(n["Sms:BodyTemplate"]) ?? d.SmsBodyTemplate,
            SmsAuthHeader = Blank(n["Sms:AuthHeader"]),
            SmsAuthValue = Blank(n["Sms:AuthValue"]),
            EmailTransport = (Blank(n["Email:Transport"]) ?? d.EmailTransport).ToLowerInvariant(),
            EmailFrom = Blank(n["Email:From"]) ?? d.EmailFrom,
            SmtpHost = Blank(n["Smtp:Host"]) ?? d.SmtpHost,
            SmtpPort = n.GetValue("Smtp:Port", d.SmtpPort),
            SmtpSecurity = Blank(n["Smtp:Security"]) ?? d.SmtpSecurity,
            SmtpUser = Blank(n["Smtp:User"]),
            SmtpPassword = Blank(n["Smtp:Password"]),
        };
        return o.Problem() is { } problem ? throw new InvalidOperationException($"Coupons:Notifications: {problem}") : o;
    }

    string? Problem()
    {
        if (SmsTransport is not ("log" or "http")) return $"Sms:Transport must be log or http, not '{SmsTransport}'";
        if (SmsTransport == "http" && !Uri.TryCreate(SmsUrl, UriKind.Absolute, out _)) return "Sms:Url must be an absolute URL when Sms:Transport is http";
        if (SmsAuthHeader is not null && SmsAuthValue is null) return "Sms:AuthValue is required with Sms:AuthHeader";
        if (EmailTransport is not ("log" or "smtp")) return $"Email:Transport must be log or smtp, not '{EmailTransport}'";
        if (!Enum.TryParse<MailKit.Security.SecureSocketOptions>(SmtpSecurity, ignoreCase: true, out _))
            return $"Smtp:Security must be None, StartTls, StartTlsWhenAvailable, SslOnConnect or Auto, not '{SmtpSecurity}'";
        if (MaxAttempts < 1) return "MaxAttempts must be at least 1";
        if (BatchSize is < 1 or > 1000) return "BatchSize must be 1..1000";
        if (PollInterval <= TimeSpan.Zero || SendTimeout <= TimeSpan.Zero || BackoffBase < TimeSpan.Zero) return "intervals must be positive";
        return null;
    }

    static TimeSpan Millis(IConfiguration section, string key, TimeSpan fallback) =>
        section.GetValue<int?>(key) is { } ms ? TimeSpan.FromMilliseconds(ms) : fallback;

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
