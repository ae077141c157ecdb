package io.marketbill.binding.directory;

import io.marketbill.contracts.EventIds;
import io.marketbill.contracts.MemberAdded;
import io.marketbill.contracts.OrganizationCreated;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seeds demo organizations and users from a JSON file ({@code marketbill.directory.seed-file}), for the local stack.
 * Each entry becomes a directory change with an id derived from its content, so a restart applies nothing twice.
 */
@Component
class DirectorySeed implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DirectorySeed.class);

    record Seed(List<SeedOrganization> organizations) {
    }

    record SeedOrganization(String id, String name, String site, List<MemberAdded> members) {
    }

    private final DirectoryChanges changes;
    private final String seedFile;

    DirectorySeed(DirectoryChanges changes, @Value("${marketbill.directory.seed-file:}") String seedFile) {
        this.changes = changes;
        this.seedFile = seedFile;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (seedFile.isBlank()) {
            return;
        }
        Seed seed = JsonMapper.builder().build().readValue(Files.readString(Path.of(seedFile)), Seed.class);
        int applied = 0;
        for (SeedOrganization o : seed.organizations()) {
            OrganizationCreated created = new OrganizationCreated(o.id(), o.name(), o.site());
            applied += changes.record(EventIds.fromNaturalKey("directory-seed", created.toString()), created) ? 1 : 0;
            for (MemberAdded m : o.members()) {
                MemberAdded member = new MemberAdded(o.id(), m.userId(), m.role(), m.email(), m.name(), m.language());
                applied += changes.record(EventIds.fromNaturalKey("directory-seed", member.toString()), member) ? 1 : 0;
            }
        }
        log.info("directory seed {}: {} changes applied ({} organizations)", seedFile, applied,
                seed.organizations().size());
    }
}
