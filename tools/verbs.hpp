#pragma once
// The verbs of the command line, one per tools/verb_<name>.cpp. Each takes the arguments from the
// verb on (argv[0] is the verb) and returns the process exit code.
namespace trsim::cli {

int verb_run(int argc, char** argv);
int verb_validate(int argc, char** argv);
int verb_check(int argc, char** argv);
int verb_compare(int argc, char** argv);
int verb_sweep(int argc, char** argv);
int verb_merge(int argc, char** argv);
int verb_tune(int argc, char** argv);
int verb_staff(int argc, char** argv);
int verb_roster(int argc, char** argv);
int verb_report(int argc, char** argv);
int verb_import(int argc, char** argv);
int verb_export(int argc, char** argv);

}  // namespace trsim::cli
