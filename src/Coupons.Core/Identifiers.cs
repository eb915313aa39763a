using PhoneNumbers;

namespace Coupons.Core;

/// <summary>
/// How customers' identifiers are stored and looked up, so that the forms a till types find the same customer:
/// mobiles as E.164 digits without the plus ("447700900001"), emails trimmed and lower-cased. Pure: libphonenumber's
/// metadata is compiled into its assembly.
/// </summary>
public static class Identifiers
{
    static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>The longest E.164 number has 15 digits.</summary>
    const int MaxDigits = 15;

    /// <summary>True for a region code libphonenumber knows (ISO 3166 alpha-2, e.g. GB, IN, US).</summary>
    public static bool IsKnownCountry(string? country) =>
        country is { Length: 2 } && Phones.GetSupportedRegions().Contains(country.ToUpperInvariant());

    /// <summary>
    /// A mobile as typed, in E.164 digits; null when it cannot be a phone number (letters, a lone "+", over 15 digits,
    /// or a "+" form libphonenumber cannot parse). Separators (spaces, dashes, dots, brackets) are ignored;
    /// "+" or "00" starts an international number. Digits alone, without a default country, are international digits
    /// without the plus, the form the service has always stored, and stay as they are (no parsing: the hot paths pay
    /// nothing). With <paramref name="defaultCountry"/>: a number of that country when it has a possible length there
    /// and the digits have none as an international number ("07700 900001" in GB; possible, not valid: libphonenumber
    /// calls Ofcom's fiction range 07700 900xxx invalid, and tills type numbers its metadata has not caught up with);
    /// when both readings are possible, the national one only if it is a valid number ("07911 123456"), else the
    /// international digits ("447700900001" in IN); when neither, the digits as typed.
    /// </summary>
    public static string? Mobile(string? typed, string? defaultCountry)
    {
        if (string.IsNullOrWhiteSpace(typed)) return null;
        Span<char> digits = stackalloc char[typed.Length];
        var n = 0;
        var plus = false;
        foreach (var ch in typed)
        {
            if (ch is >= '0' and <= '9') digits[n++] = ch;
            else if (ch == '+' && n == 0 && !plus) plus = true;
            else if (ch is not (' ' or '-' or '.' or '(' or ')' or '\u00a0')) return null;
        }
        if (n == 0) return null;
        var number = new string(digits[..n]);
        // "00" dials out like "+"; digits that merely start with zeros and read as no international number stay digits.
        if (!plus && number.Length > 2 && number.StartsWith("00", StringComparison.Ordinal)
            && number.Length - 2 <= MaxDigits && Parse("+" + number[2..], null) is { } dialledOut)
            return E164(dialledOut);
        if (number.Length > MaxDigits) return null;
        if (plus) return Parse("+" + number, null) is { } dialled ? E164(dialled) : null;

        if (defaultCountry is not { Length: 2 }) return number;
        var national = Parse(number, defaultCountry.ToUpperInvariant());
        if (national is null || !Phones.IsPossibleNumber(national)) return number;
        // Lengths first (cheap); the full validation (regular expressions) only when both readings are possible.
        var international = Parse("+" + number, null);
        if (international is null || !Phones.IsPossibleNumber(international)) return E164(national);
        return Phones.IsValidNumber(national) ? E164(national) : number;
    }

    /// <summary>An email as stored and looked up: trimmed, lower-cased (invariant); null when blank.</summary>
    public static string? Email(string? typed) => string.IsNullOrWhiteSpace(typed) ? null : typed.Trim().ToLowerInvariant();

    /// <summary>
    /// The customer reference with the identifier it will be looked up by in stored form. Only the identifier that is
    /// used is read (the id wins, then mobile, email, external id: the store's order), so a malformed mobile beside an id
    /// is ignored as before. An unreadable mobile is refused with 721, naming it.
    /// </summary>
    public static (CustomerRef Who, Outcome? Refusal) Normalise(CustomerRef who, string? defaultCountry)
    {
        if (who.Id is not null) return (who, null);
        if (!string.IsNullOrWhiteSpace(who.Mobile))
        {
            var mobile = Mobile(who.Mobile, defaultCountry);
            return mobile is null
                ? (who, new Outcome(Status.InvalidCustomer, $"mobile '{who.Mobile.Trim()}' is not a phone number"))
                : (who with { Mobile = mobile }, null);
        }
        return (who with { Email = Email(who.Email) }, null);
    }

    static PhoneNumber? Parse(string number, string? region)
    {
        try
        {
            return Phones.Parse(number, region);
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    static string E164(PhoneNumber number) => Phones.Format(number, PhoneNumberFormat.E164)[1..];
}
