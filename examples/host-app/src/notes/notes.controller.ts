import { Body, Controller, Get, Post } from '@nestjs/common';
import { RoomService } from '@parley/nest-signaling';
import { CreateNoteDto } from './create-note.dto.js';

/** The host's own REST resource, which also reads Parley's RoomService. */
@Controller('notes')
export class NotesController {
  readonly #notes: string[] = [];

  constructor(private readonly rooms: RoomService) {}

  @Get()
  list() {
    return { notes: this.#notes, peersHere: this.rooms.size.peers };
  }

  @Post()
  create(@Body() dto: CreateNoteDto) {
    this.#notes.push(dto.text);
    return { notes: this.#notes };
  }
}
