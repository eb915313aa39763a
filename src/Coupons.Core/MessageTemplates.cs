using System.Globalization;
using System.Text.RegularExpressions;

namespace Coupons.Core;

/// <summary>A message for one customer on one channel, ready to hand to a transport.</summary>
public sealed record OutgoingMessage(string Channel, string Recipient, string? Subject, string Body);

/// <summary>
/// The series' message templates: which channels a series sends on, the placeholders a template may use, and the
/// rendering of a template for one coupon. Pure: no I/O, no clock.
/// </summary>
public static partial class MessageTemplates
{
    public const string Sms = "sms";
    public const string Email = "email";

    /// <summary>One SMS segment; a longer rendered smsTemplate is replaced by the shortSMSTemplate when the series has one.</summary>
    public const int SmsSegment = 160;

    /// <summary>The subject of an email when the series sets none.</summary>
    public const string DefaultSubject = "Your coupon {{voucher_code}}";

    /// <summary>The placeholders the spec's templates show, plus <c>valid_till</c> for the validity date.</summary>
    public static readonly IReadOnlyList<string> Placeholders =
        ["first_name", "last_name", "fullname", "cust_name", "voucher", "voucher_code", "valid_days_from_create", "valid_till", "offer_name"];

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex Token();

    /// <summary>The series sends an SMS: not disabled and an SMS template set.</summary>
    public static bool SendsSms(Series s) => !s.IsSMSDisabled && (!string.IsNullOrWhiteSpace(s.SmsTemplate) || !string.IsNullOrWhiteSpace(s.ShortSMSTemplate));

    /// <summary>The series sends an email: an email body set.</summary>
    public static bool SendsEmail(Series s) => !string.IsNullOrWhiteSpace(s.EmailBody);

    /// <summary>
    /// The series has a message for this customer: a channel it sends on that the customer can be reached on.
    /// <see cref="Compose"/> makes at least one message exactly when this holds.
    /// </summary>
    public static bool Reaches(Series s, Customer c) => (SendsSms(s) && HasValue(c.Mobile)) || (SendsEmail(s) && HasValue(c.Email));

    /// <summary>The series has no text on any channel: its coupons are issued without any message.</summary>
    public static bool SendsNothing(Series s) => !SendsSms(s) && !SendsEmail(s);

    /// <summary>What an issue from a series that <see cref="SendsNothing"/> reports beside its coupon (code 724, a warning, not a refusal).</summary>
    public static readonly Outcome NoMessage = new(Status.UnableToSendMessage, "no message will go out: the series has no SMS or email text");

    /// <summary>
    /// Why a resend would send nothing, or null. Resending is only sending, so a series with no text on any channel is
    /// refused (724) rather than answered "resent"; otherwise as <see cref="Unreachable"/>.
    /// </summary>
    public static Outcome? CannotResend(Series s, Customer c) =>
        SendsNothing(s) ? new Outcome(Status.UnableToSendMessage, "nothing to resend: the series has no SMS or email text") : Unreachable(s, c);

    /// <summary>
    /// Why the series cannot reach this customer, or null. A series that sends on no channel reaches everyone;
    /// one channel the customer can be reached on is enough. 704 when the series sends only SMS and the customer has
    /// no mobile; 724 when it sends email (alone or with SMS) and neither works.
    /// </summary>
    public static Outcome? Unreachable(Series s, Customer c)
    {
        bool sms = SendsSms(s), email = SendsEmail(s);
        if (!sms && !email) return null;
        if (sms && HasValue(c.Mobile)) return null;
        if (email && HasValue(c.Email)) return null;
        return email ? new Outcome(Status.UnableToSendMessage, "the customer has no email address for this series' messages")
            : new Outcome(Status.NoMobile);
    }

    /// <summary>The placeholders of a template that are not in <see cref="Placeholders"/>, in order of appearance.</summary>
    public static IReadOnlyList<string> Unknown(string? template)
    {
        if (string.IsNullOrEmpty(template)) return [];
        return Token().Matches(template).Select(m => m.Groups[1].Value)
            .Where(name => !Placeholders.Contains(name.ToLowerInvariant())).Distinct().ToList();
    }

    /// <summary>What is wrong with a series' templates, naming the field and the placeholder; none when nothing is.</summary>
    public static IEnumerable<(string Field, string Problem)> Problems(Series s)
    {
        foreach (var (field, template) in new[]
        {
            ("smsTemplate", s.SmsTemplate), ("shortSMSTemplate", s.ShortSMSTemplate), ("emailSubject", s.EmailSubject), ("emailBody", s.EmailBody),
        })
        {
            if (Unknown(template) is [var first, ..])
                yield return (field, $"{field} uses the unknown placeholder {{{{{first}}}}}; known placeholders: {string.Join(", ", Placeholders.Select(p => $"{{{{{p}}}}}"))}");
        }
    }

    /// <summary>
    /// Fills a template. Known placeholders are case-insensitive and may have spaces inside the braces; an unknown
    /// one (only possible in a series saved before validation) is left as written.
    /// </summary>
    public static string Render(string template, Series series, Coupon coupon, Customer customer, TimeZoneInfo zone) =>
        Token().Replace(template, m => Value(m.Groups[1].Value.ToLowerInvariant(), series, coupon, customer, zone) ?? m.Value);

    static string? Value(string name, Series series, Coupon coupon, Customer customer, TimeZoneInfo zone) => name switch
    {
        "first_name" => customer.FirstName,
        "last_name" => customer.LastName,
        "fullname" or "cust_name" => customer.FullName,
        "voucher" or "voucher_code" => coupon.Code,
        "valid_till" => coupon.ValidTill is { } till ? TimeZones.LocalDate(till, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "",
        "valid_days_from_create" => ValidDays(coupon, zone)?.ToString(CultureInfo.InvariantCulture) ?? "",
        "offer_name" => string.IsNullOrWhiteSpace(series.Description) ? series.SeriesCode : series.Description,
        _ => null,
    };

    /// <summary>Days from the coupon's issue date to its validity date, both in the organisation's zone.</summary>
    static int? ValidDays(Coupon coupon, TimeZoneInfo zone) =>
        coupon is { ValidTill: { } till, IssuedOn: { } issued }
            ? TimeZones.LocalDate(till, zone).DayNumber - TimeZones.LocalDate(issued, zone).DayNumber
            : null;

    /// <summary>
    /// The messages a series sends for one coupon: an SMS to the customer's mobile, an email to their address, each
    /// when the series sends on that channel and the customer has the contact.
    /// </summary>
    public static IReadOnlyList<OutgoingMessage> Compose(Series series, Coupon coupon, Customer customer, TimeZoneInfo zone)
    {
        var messages = new List<OutgoingMessage>();
        if (SendsSms(series) && HasValue(customer.Mobile))
        {
            var text = string.IsNullOrWhiteSpace(series.SmsTemplate) ? "" : Render(series.SmsTemplate, series, coupon, customer, zone).Trim();
            if ((text.Length == 0 || text.Length > SmsSegment) && !string.IsNullOrWhiteSpace(series.ShortSMSTemplate))
                text = Render(series.ShortSMSTemplate, series, coupon, customer, zone).Trim();
            messages.Add(new OutgoingMessage(Sms, customer.Mobile!.Trim(), null, text));
        }
        if (SendsEmail(series) && HasValue(customer.Email))
        {
            var subject = Render(string.IsNullOrWhiteSpace(series.EmailSubject) ? DefaultSubject : series.EmailSubject, series, coupon, customer, zone).Trim();
            messages.Add(new OutgoingMessage(Email, customer.Email!.Trim(), subject, Render(series.EmailBody, series, coupon, customer, zone)));
        }
        return messages;
    }

    static bool HasValue(string? s) => !string.IsNullOrWhiteSpace(s);
}
