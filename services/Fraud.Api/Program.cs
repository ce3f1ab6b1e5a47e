await Fraud.Api.ApiApp.Create(args).RunAsync();
