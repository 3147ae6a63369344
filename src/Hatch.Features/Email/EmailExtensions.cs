using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hatch.Features.Email;

public static class EmailExtensions
{
    /// <summary>Outgoing email (<c>Hatch:Email</c>), off unless configured: the sender and the recorded attempts digests and review notifications share.</summary>
    public static IHostApplicationBuilder AddHatchEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<MailSender>();
        builder.Services.AddScoped<EmailDelivery>();
        return builder;
    }
}
