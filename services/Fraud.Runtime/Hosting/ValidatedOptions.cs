using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Hosting;

/// <summary>
/// Binds an options class to its configuration section and validates it at start-up with the
/// class's own <c>Validate</c> (which throws <see cref="ArgumentException"/> naming the member),
/// so a bad setting stops the service with a message that names the setting.
/// </summary>
public static class ValidatedOptions
{
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section, Action<T> validate)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new Validator<T>(section, validate));
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    private sealed class Validator<T>(string section, Action<T> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            try
            {
                validate(options);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                var member = e.ParamName is { Length: > 0 } parameter ? $"{section}:{parameter}" : section;
                var message = e is ArgumentOutOfRangeException { ActualValue: { } actual }
                    ? $"{member} = {actual}: {FirstLine(e.Message)}"
                    : $"{member}: {FirstLine(e.Message)}";
                return ValidateOptionsResult.Fail(message);
            }
        }

        private static string FirstLine(string message)
        {
            var end = message.IndexOf(" (Parameter", StringComparison.Ordinal);
            var line = end > 0 ? message[..end] : message;
            var newline = line.IndexOf('\n', StringComparison.Ordinal);
            return (newline > 0 ? line[..newline] : line).Trim();
        }
    }
}
