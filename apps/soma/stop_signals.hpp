#pragma once
// SIGINT and SIGTERM while `soma train` trains: the handler only records the signal
// (and says so on stderr); training ends after the current batch, writes a checkpoint
// and exits 128 + the signal's number (130, 143), as a shell reports a killed command.
// A second signal acts at once (the default action): the checkpoint written by then is
// whole, since every file is written atomically.
namespace soma::cli {

class StopSignals {
 public:
  StopSignals();   // installs the handlers
  ~StopSignals();  // restores what was there before
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The signal received since construction, or 0.
  static int received();
};

}  // namespace soma::cli
