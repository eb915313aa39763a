namespace Coupons.Core.Tests;

public class MessageTemplatesTests
{
    static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    static Series WithSms(string template) => A.Series with { SmsTemplate = template };

    [Fact]
    public void The_spec_v2_sample_template_is_filled_in()
    {
        var series = WithSms("Hi  {{first_name}} {{last_name}} your voucher code {{voucher}}is valid {{valid_days_from_create}}. {{fullname}} {{offer_name}}");
        var coupon = A.Coupon with { IssuedOn = A.Now, ValidTill = A.Now.AddDays(30) };
        var text = MessageTemplates.Render(series.SmsTemplate, series, coupon, A.Customer, Utc);
        Assert.Equal("Hi  Asha Rao your voucher code ABCD2345is valid 30. Asha Rao Summer sale", text);
    }

    [Fact]
    public void The_spec_v1_sample_template_and_the_validity_date_are_filled_in()
    {
        var series = WithSms("Hello {{cust_name}}, your voucher code is {{voucher_code}}, valid till {{ valid_till }}");
        var text = MessageTemplates.Render(series.SmsTemplate, series, A.Coupon with { ValidTill = new DateTimeOffset(2025, 6, 30, 22, 30, 0, TimeSpan.Zero) }, A.Customer,
            TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata"));
        Assert.Equal("Hello Asha Rao, your voucher code is ABCD2345, valid till 2025-07-01", text);
    }

    [Fact]
    public void Placeholders_are_case_insensitive_and_a_coupon_without_validity_leaves_its_date_empty()
    {
        var series = WithSms("{{VOUCHER}}|{{valid_till}}|{{valid_days_from_create}}");
        Assert.Equal("ABCD2345||", MessageTemplates.Render(series.SmsTemplate, series, A.Coupon with { ValidTill = null }, A.Customer, Utc));
    }

    [Fact]
    public void An_unknown_placeholder_is_reported_by_name()
    {
        Assert.Equal(["coupon_code", "x"], MessageTemplates.Unknown("{{voucher}} {{coupon_code}} {{ x }} {{coupon_code}}"));
        Assert.Empty(MessageTemplates.Unknown("Hello {{cust_name}}, {single} braces are text"));
    }

    [Theory]
    [InlineData("smsTemplate")]
    [InlineData("shortSMSTemplate")]
    [InlineData("emailSubject")]
    [InlineData("emailBody")]
    public void Saving_a_series_with_an_unknown_placeholder_gives_744_naming_field_and_placeholder(string field)
    {
        var series = field switch
        {
            "smsTemplate" => A.Series with { SmsTemplate = "Hi {{nickname}}" },
            "shortSMSTemplate" => A.Series with { ShortSMSTemplate = "Hi {{nickname}}" },
            "emailSubject" => A.Series with { EmailSubject = "Hi {{nickname}}" },
            _ => A.Series with { EmailBody = "Hi {{nickname}}" },
        };
        var outcome = Assert.Single(SeriesRules.Check(series, A.Now, creating: false)).Outcome;
        Assert.Equal(Status.SeriesNotSaved, outcome.Code);
        Assert.Contains(field, outcome.Detail);
        Assert.Contains("{{nickname}}", outcome.Detail);
    }

    [Fact]
    public void A_series_with_known_placeholders_is_valid()
    {
        Assert.Empty(SeriesRules.Check(A.Series with { SmsTemplate = "Hello {{cust_name}}, your voucher code is {{voucher_code}}", EmailBody = "{{offer_name}}" }, A.Now, creating: false));
    }

    [Fact]
    public void An_sms_series_composes_one_sms_to_the_mobile()
    {
        var messages = MessageTemplates.Compose(WithSms("Code {{voucher}}"), A.Coupon, A.Customer, Utc);
        Assert.Equal([new OutgoingMessage("sms", "919800000001", null, "Code ABCD2345")], messages);
    }

    [Fact]
    public void A_disabled_sms_series_composes_nothing()
    {
        Assert.Empty(MessageTemplates.Compose(WithSms("Code {{voucher}}") with { IsSMSDisabled = true }, A.Coupon, A.Customer, Utc));
    }

    [Fact]
    public void An_sms_longer_than_one_segment_uses_the_short_template()
    {
        var series = WithSms(new string('x', 155) + " {{voucher}}") with { ShortSMSTemplate = "Code {{voucher}}" };
        Assert.Equal("Code ABCD2345", MessageTemplates.Compose(series, A.Coupon, A.Customer, Utc).Single().Body);
    }

    [Fact]
    public void An_email_series_composes_subject_and_body_with_a_default_subject()
    {
        var customer = A.Customer with { Email = "asha@example.com" };
        var messages = MessageTemplates.Compose(A.Series with { EmailBody = "Dear {{first_name}}: {{voucher_code}}" }, A.Coupon, customer, Utc);
        Assert.Equal([new OutgoingMessage("email", "asha@example.com", "Your coupon ABCD2345", "Dear Asha: ABCD2345")], messages);
    }

    [Fact]
    public void Issuing_from_an_sms_series_to_a_customer_without_mobile_gives_704()
    {
        var facts = A.Issue with { Series = WithSms("{{voucher}}"), Customer = A.Customer with { Mobile = null, Email = "a@b.c" } };
        Assert.Equal(Status.NoMobile, IssueRules.Check(facts).Outcome.Code);
    }

    [Fact]
    public void Issuing_from_an_email_series_to_a_customer_without_email_gives_724()
    {
        var facts = A.Issue with { Series = A.Series with { EmailBody = "{{voucher}}" } };
        Assert.Equal(Status.UnableToSendMessage, IssueRules.Check(facts).Outcome.Code);
    }

    [Fact]
    public void A_customer_reachable_on_one_of_two_channels_is_issued()
    {
        var facts = A.Issue with { Series = WithSms("{{voucher}}") with { EmailBody = "{{voucher}}" } };
        Assert.Equal(IssueAction.Issue, IssueRules.Check(facts).Action);
    }

    [Fact]
    public void A_series_that_sends_nothing_issues_to_a_customer_without_contacts()
    {
        var facts = A.Issue with { Customer = A.Customer with { Mobile = null }, Series = WithSms("{{voucher}}") with { IsSMSDisabled = true } };
        Assert.Equal(IssueAction.Issue, IssueRules.Check(facts).Action);
    }

    [Fact]
    public void An_expired_series_gives_712_before_704()
    {
        var facts = A.Issue with { Series = WithSms("{{voucher}}") with { ValidTillDate = A.Now.AddDays(-3) }, Customer = A.Customer with { Mobile = null } };
        Assert.Equal(Status.SeriesExpired, IssueRules.Check(facts).Outcome.Code);
    }
}
