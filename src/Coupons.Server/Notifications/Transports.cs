using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Coupons.Core;
using Coupons.Storage;
using MailKit.Security;
using MimeKit;

namespace Coupons.Server.Notifications;

/// <summary>A failure no retry can mend (the webhook endpoint was deleted): the delivery is parked as dead at once.</summary>
public sealed class PermanentFailure(string message) : Exception(message);

/// <summary>
/// Hands one delivery to its transport: SMS to the log or an HTTP gateway, email to the log or SMTP (MailKit),
/// webhooks over HTTP with a signature. Throws when the message was not accepted.
/// </summary>
public sealed class Transports(NotificationOptions options, IHttpClientFactory http, TimeProvider clock, ILogger<Transports> log)
{
    public const string SignatureHeader = "X-Coupons-Signature";
    static readonly SemaphoreSlim FileGate = new(1, 1);

    public Task SendAsync(ClaimedDelivery claimed, CancellationToken ct)
    {
        var d = claimed.Delivery;
        return d.Channel switch
        {
            MessageTemplates.Sms when options.SmsTransport == "http" => SmsGatewayAsync(d, ct),
            MessageTemplates.Email when options.EmailTransport == "smtp" => SmtpAsync(d, ct),
            MessageTemplates.Sms or MessageTemplates.Email => LogAsync(d, ct),
            "webhook" => WebhookAsync(d, claimed.Secret ?? throw new PermanentFailure("the webhook endpoint was deleted"), ct),
            _ => throw new PermanentFailure($"unknown channel '{d.Channel}'"),
        };
    }

    async Task LogAsync(Delivery d, CancellationToken ct)
    {
        log.LogInformation("{Channel} {Event} #{Id} to {Recipient}: {Subject}{Body}", d.Channel, d.Event, d.Id, d.Recipient,
            d.Subject is null ? "" : d.Subject + " | ", d.Body);
        if (options.LogFile is not { } path) return;
        var line = JsonSerializer.Serialize(new
        {
            id = d.Id,
            at = clock.GetUtcNow(),
            orgId = d.OrgId,
            @event = d.Event,
            channel = d.Channel,
            to = d.Recipient,
            subject = d.Subject,
            body = d.Body,
        }, CouponJson.Options);
        await FileGate.WaitAsync(ct);
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            await File.AppendAllTextAsync(path, line + "\n", ct);
        }
        finally
        {
            FileGate.Release();
        }
    }

    async Task SmsGatewayAsync(Delivery d, CancellationToken ct)
    {
        var body = options.SmsBodyTemplate
            .Replace("{{to}}", Json(d.Recipient))
            .Replace("{{text}}", Json(d.Body))
            .Replace("{{id}}", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var request = new HttpRequestMessage(HttpMethod.Post, options.SmsUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (options.SmsAuthHeader is { } header) request.Headers.TryAddWithoutValidation(header, options.SmsAuthValue);
        await PostAsync(request, ct);
    }

    /// <summary>A value as it goes between the quotes of a JSON string.</summary>
    static string Json(string s) => JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();

    async Task SmtpAsync(Delivery d, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.EmailFrom));
        message.To.Add(MailboxAddress.Parse(d.Recipient));
        message.Subject = d.Subject ?? "";
        message.Headers.Add("X-Coupons-Delivery", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Body = new TextPart("plain") { Text = d.Body };
        using var smtp = new MailKit.Net.Smtp.SmtpClient();
        await smtp.ConnectAsync(options.SmtpHost, options.SmtpPort, Enum.Parse<SecureSocketOptions>(options.SmtpSecurity, ignoreCase: true), ct);
        if (options.SmtpUser is { } user) await smtp.AuthenticateAsync(user, options.SmtpPassword ?? "", ct);
        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(quit: true, ct);
    }

    async Task WebhookAsync(Delivery d, string secret, CancellationToken ct)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, d.Recipient) { Content = new StringContent(d.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add(SignatureHeader, Signature(secret, timestamp, d.Body));
        request.Headers.Add("X-Coupons-Event", d.Event);
        request.Headers.Add("X-Coupons-Delivery", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await PostAsync(request, ct);
    }

    /// <summary><c>t=&lt;unix seconds&gt;,v1=&lt;lower-case hex HMAC-SHA256, keyed by the secret's UTF-8 bytes, of "&lt;t&gt;.&lt;body&gt;"&gt;</c>.</summary>
    public static string Signature(string secret, long timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    async Task PostAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var client = http.CreateClient("notifications");
        using var response = await client.SendAsync(request, ct);
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(ct);
        throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] : text)}");
    }
}
