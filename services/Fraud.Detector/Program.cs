await Fraud.Detector.DetectorApp.Create(args).RunAsync();
