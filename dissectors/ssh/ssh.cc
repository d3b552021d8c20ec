#include "dissectors/ssh/ssh.h"

#include "dissectors/ssh/ssh_parser.h"
#include "dissectors/ssh/ssh_session.h"

namespace ots {
namespace {

constexpr uint16_t kSshPorts[] = {22};

std::unique_ptr<DissectorSession> make_ssh_session(EventSink& sink) { return std::make_unique<ssh::SshSession>(sink); }

}  // namespace

const DissectorDescriptor kDissector_ssh{
    .name = "ssh",
    .transports = transport_bit::Tcp,
    .ports = kSshPorts,
    .ethertypes = {},
    .probe = ssh::probe,
    .make_session = make_ssh_session,
};

}  // namespace ots
